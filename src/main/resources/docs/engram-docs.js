// Swagger UI over this server's own document (BaseLayout: no bar for loading other documents). A token typed into
// "Authorize" stays in the page: persistAuthorization is off, so nothing goes to the browser's storage.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    persistAuthorization: false,
    displayRequestDuration: true,
    filter: true
  });
};
