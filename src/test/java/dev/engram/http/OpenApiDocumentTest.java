package dev.engram.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.OpenApiSchemas;
import dev.engram.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.DisplayName;

/**
 * /openapi.json against the server's real route table, and /docs. When a route is added to the server, its entry goes
 * in src/main/resources/openapi/paths/&lt;api&gt;.yaml (with its shapes in components.yaml): the first test names
 * what is missing.
 */
class OpenApiDocumentTest {
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options");

  private final TestServer server = TestServer.shared();
  private final Api api = server.api;

  /**
   * {@code "GET /v1/agents/{agent_id}"} for each method of each route the router mounts; a prefix route
   * ({@code router.get("/app/*")}) is documented as {@code /app/{path}}.
   */
  private static Set<String> mounted(RouteTable router) {
    Set<String> routes = new TreeSet<>();
    for (Route route : router.routes()) {
      if (route.getPath() != null && route.methods() != null) {
        String path = openApiPath(route.getPath(), route.isExactPath());
        route.methods().stream().map(HttpMethod::name).forEach(m -> routes.add(m + " " + path));
      }
    }
    return routes;
  }

  private static String openApiPath(String template, boolean exact) {
    String path = template.replaceAll(":([A-Za-z_][A-Za-z0-9_]*)", "{$1}");
    return exact ? path : (path.endsWith("/") ? path : path + "/") + "{path}";
  }

  private static Set<String> documented(JsonObject document) {
    Set<String> routes = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : METHODS) {
        if (paths.getJsonObject(path).containsKey(method)) {
          routes.add(method.toUpperCase(Locale.ROOT) + " " + path);
        }
      }
    }
    return routes;
  }

  /** {@code "GET /app/"} for each method of each prefix route the router mounts. */
  private static Set<String> prefixRoutes() {
    Vertx vertx = Vertx.vertx();
    try {
      Set<String> out = new TreeSet<>();
      for (Route route : RouteTableTest.router(vertx).routes()) {
        if (route.getPath() != null && route.methods() != null && !route.isExactPath()) {
          route.methods().forEach(m -> out.add(m.name() + " " + route.getPath()));
        }
      }
      return out;
    } finally {
      vertx.close();
    }
  }

  private static Set<String> missing(Set<String> from, Set<String> in) {
    return from.stream().filter(r -> !in.contains(r)).collect(Collectors.toCollection(TreeSet::new));
  }

  private JsonObject served() {
    Api.Response r = api.get("/openapi.json", null);
    assertEquals(200, r.status(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
    return r.json();
  }

  @Test
  @DisplayName("every route the router mounts is in /openapi.json, and every operation there is a mounted route")
  void documentMatchesTheRouteTable() {
    Vertx vertx = Vertx.vertx();
    try {
      RouteTable router = RouteTableTest.router(vertx);
      Set<String> routes = mounted(router);
      Set<String> documented = documented(served());
      assertTrue(routes.size() > 150, () -> "the walk found too few routes: " + routes.size());
      Set<String> undocumented = missing(routes, documented);
      assertTrue(undocumented.isEmpty(), () -> "routes missing from /openapi.json: add each to"
          + " src/main/resources/openapi/paths/<api>.yaml (summary, tags, parameters, requestBody, its success"
          + " response and the errors particular to it; shapes in components.yaml): " + undocumented);
      Set<String> stale = missing(documented, routes);
      assertTrue(stale.isEmpty(), () -> "operations in /openapi.json that the server does not mount: " + stale);
      // and the check sees a route added without an entry
      router.post("/api/a-new-route/:thing_id").handler(ctx -> ctx.end());
      assertEquals(Set.of("POST /api/a-new-route/{thing_id}"), missing(mounted(router), documented));
    } finally {
      vertx.close();
    }
  }

  @Test
  @DisplayName("each operation has a summary, a declared tag, its path parameters, a success answer and the"
      + " {detail} error answers; public ones are exactly the server's public routes")
  void operationsAreComplete() {
    JsonObject doc = served();
    assertEquals("3.1.0", doc.getString("openapi"));
    Set<String> tags = doc.getJsonArray("tags").stream().map(t -> ((JsonObject) t).getString("name"))
        .collect(Collectors.toSet());
    JsonObject schemes = doc.getJsonObject("components").getJsonObject("securitySchemes");
    assertEquals("bearer", schemes.getJsonObject("bearer").getString("scheme"));
    assertEquals("X-API-Key", schemes.getJsonObject("apiKey").getString("name"));
    Set<String> operationIds = new TreeSet<>();
    Set<String> publicOps = new TreeSet<>();
    List<String> problems = new java.util.ArrayList<>();
    JsonObject paths = doc.getJsonObject("paths");
    Pattern param = Pattern.compile("\\{([^}]+)}");
    for (String path : paths.fieldNames()) {
      for (String method : METHODS) {
        JsonObject op = paths.getJsonObject(path).getJsonObject(method);
        if (op == null) {
          continue;
        }
        String name = method.toUpperCase(Locale.ROOT) + " " + path;
        if (op.getString("summary", "").isBlank()) {
          problems.add(name + ": no summary");
        }
        if (op.getJsonArray("tags", new JsonArray()).size() != 1 || !tags.contains(op.getJsonArray("tags")
            .getString(0))) {
          problems.add(name + ": one tag among the document's tags, got " + op.getJsonArray("tags"));
        }
        if (!operationIds.add(op.getString("operationId", name))) {
          problems.add(name + ": operationId used twice");
        }
        Set<String> inPath = new TreeSet<>();
        Matcher m = param.matcher(path);
        while (m.find()) {
          inPath.add(m.group(1));
        }
        Set<String> declared = op.getJsonArray("parameters", new JsonArray()).stream().map(p -> (JsonObject) p)
            .filter(p -> p.getString("in").equals("path")).map(p -> p.getString("name"))
            .collect(Collectors.toCollection(TreeSet::new));
        if (!inPath.equals(declared)) {
          problems.add(name + ": path parameters " + declared + ", the path has " + inPath);
        }
        JsonObject responses = op.getJsonObject("responses");
        if (responses.fieldNames().stream().noneMatch(s -> s.startsWith("2") || s.equals("101"))) {
          problems.add(name + ": no success answer");
        }
        boolean isPublic = op.getJsonArray("security") != null && op.getJsonArray("security").isEmpty();
        if (isPublic) {
          publicOps.add(name);
        }
        for (String status : isPublic ? List.of("400", "default") : List.of("400", "401", "403", "default")) {
          if (!responses.containsKey(status)) {
            problems.add(name + ": no " + status + " answer");
          }
        }
      }
    }
    assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    // RouteTableTest names a route by its path as the router keeps it: a prefix route /app/* is "GET /app/"
    Set<String> prefixes = prefixRoutes();
    Set<String> publicRoutes = RouteTableTest.PUBLIC.stream()
        .map(r -> r.endsWith("*") ? openApiPath(r.substring(0, r.length() - 1), false)
            : openApiPath(r, !prefixes.contains(r)))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(publicRoutes, publicOps, "the operations with `security: []` must be exactly the public routes"
        + " (ApiRouter's PUBLIC list, and RouteTableTest's)");
  }

  @Test
  @DisplayName("the document is valid OpenAPI 3.1 as the Swagger parser reads it, with every path and schema")
  void swaggerParserReadsIt() {
    JsonObject doc = served();
    io.swagger.v3.parser.core.models.ParseOptions options = new io.swagger.v3.parser.core.models.ParseOptions();
    options.setResolve(true);
    io.swagger.v3.parser.core.models.SwaggerParseResult result = new io.swagger.v3.parser.OpenAPIV3Parser()
        .readContents(doc.encode(), null, options);
    assertEquals(List.of(), result.getMessages() == null ? List.of() : result.getMessages());
    assertEquals(doc.getJsonObject("paths").size(), result.getOpenAPI().getPaths().size());
    assertEquals(doc.getJsonObject("components").getJsonObject("schemas").size(),
        result.getOpenAPI().getComponents().getSchemas().size());
  }

  @Test
  @DisplayName("the shapes' schemas compile as JSON Schema 2020-12 and every $ref names a component that exists")
  void referencesResolve() {
    JsonObject doc = served();
    String text = doc.encode();
    Matcher m = Pattern.compile("\"\\$ref\":\"#/components/(schemas|responses)/([^\"]+)\"").matcher(text);
    Set<String> dangling = new TreeSet<>();
    int refs = 0;
    while (m.find()) {
      refs++;
      if (doc.getJsonObject("components").getJsonObject(m.group(1)).getJsonObject(m.group(2)) == null) {
        dangling.add(m.group(1) + "/" + m.group(2));
      }
    }
    assertTrue(refs > 300, "refs " + refs);
    assertTrue(dangling.isEmpty(), () -> "dangling $refs: " + dangling);
    OpenApiSchemas schemas = new OpenApiSchemas(doc);
    // every documented success and error body is checkable: an error body fits, a wrong one does not
    assertNull(schemas.problems("GET", "/v1/agents/agent-00000000-0000-0000-0000-000000000000", 404,
        "{\"detail\": \"Agent not found\"}"));
    assertNotNull(schemas.problems("GET", "/v1/agents/agent-00000000-0000-0000-0000-000000000000", 404,
        "{\"message\": \"Agent not found\"}"));
    assertEquals("/v1/agents/count", schemas.template("GET", "/v1/agents/count"));
    assertEquals("/v1/agents/{agent_id}", schemas.template("GET", "/v1/agents/agent-1"));
  }

  /** What a schema object may hold: JSON Schema 2020-12's keywords and OpenAPI's own; anything else is a typo. */
  private static final Set<String> SCHEMA_KEYWORDS = Set.of("$ref", "$comment", "type", "properties", "required",
      "items", "prefixItems", "oneOf", "anyOf", "allOf", "not", "enum", "const", "description", "title", "default",
      "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
      "pattern", "minItems", "maxItems", "uniqueItems", "contains", "additionalProperties", "patternProperties",
      "propertyNames", "minProperties", "maxProperties", "unevaluatedProperties", "examples", "example", "deprecated",
      "readOnly", "writeOnly", "discriminator", "contentMediaType", "contentEncoding", "externalDocs", "xml");

  @Test
  @DisplayName("every schema uses only schema keywords (an unquoted comma in a YAML description makes a stray one)")
  void schemaKeywordsAreKnown() {
    JsonObject doc = served();
    Set<String> stray = new TreeSet<>();
    doc.getJsonObject("components").getJsonObject("schemas").forEach(e -> strayKeywords(e.getValue(),
        "components/schemas/" + e.getKey(), stray));
    doc.getJsonObject("paths").forEach(p -> findSchemas(p.getValue(), "paths" + p.getKey(), stray));
    assertTrue(stray.isEmpty(), () -> "stray keywords: " + stray);
  }

  /** Walks an OpenAPI object to each {@code schema} it holds. */
  private static void findSchemas(Object node, String where, Set<String> stray) {
    if (node instanceof JsonObject o) {
      o.forEach(e -> {
        if (e.getKey().equals("schema")) {
          strayKeywords(e.getValue(), where + "/schema", stray);
        } else {
          findSchemas(e.getValue(), where + "/" + e.getKey(), stray);
        }
      });
    } else if (node instanceof io.vertx.core.json.JsonArray a) {
      a.forEach(v -> findSchemas(v, where, stray));
    }
  }

  private static void strayKeywords(Object schema, String where, Set<String> stray) {
    if (!(schema instanceof JsonObject o)) {
      return;
    }
    o.forEach(e -> {
      String key = e.getKey();
      Object value = e.getValue();
      if (!SCHEMA_KEYWORDS.contains(key) && !key.startsWith("x-")) {
        stray.add(where + ": " + key);
      }
      switch (key) {
        case "properties", "patternProperties" -> {
          if (value instanceof JsonObject props) {
            props.forEach(p -> strayKeywords(p.getValue(), where + "/" + p.getKey(), stray));
          }
        }
        case "items", "not", "additionalProperties", "propertyNames", "contains", "unevaluatedProperties" ->
            strayKeywords(value, where + "/" + key, stray);
        case "oneOf", "anyOf", "allOf", "prefixItems" -> {
          if (value instanceof io.vertx.core.json.JsonArray list) {
            list.forEach(v -> strayKeywords(v, where + "/" + key, stray));
          }
        }
        default -> { }
      }
    });
  }

  @Test
  @DisplayName("/docs serves Swagger UI from the jar: the page and every script, style sheet and icon it loads answer"
      + " 200 without credentials; an unknown file is 404 {detail}")
  void docsPageLoadsItsAssets() {
    Api.Response page = api.get("/docs", null);
    assertEquals(200, page.status(), page.body());
    assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
    Set<String> assets = new TreeSet<>();
    while (m.find()) {
      assets.add(m.group(1));
    }
    assertTrue(assets.containsAll(Set.of("/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js",
        "/docs/engram-docs.js")), () -> "assets " + assets);
    for (String asset : assets) {
      assertFalse(asset.startsWith("http"), () -> "no CDN: " + asset);
      for (int twice = 0; twice < 2; twice++) { // served from memory: the same bytes each time
        Api.Response r = api.get(asset, null);
        assertEquals(200, r.status(), asset);
        assertTrue(r.body().length() > 100, () -> asset + " is " + r.body().length() + " characters");
        String type = r.headers().firstValue("content-type").orElse("");
        assertTrue(asset.endsWith(".js") ? type.startsWith("application/javascript")
            : asset.endsWith(".css") ? type.startsWith("text/css") : type.startsWith("image/png"), asset + ": " + type);
      }
    }
    // the files the document lists are the files served
    JsonArray files = served().getJsonObject("paths").getJsonObject("/docs/{file}").getJsonObject("get")
        .getJsonArray("parameters").getJsonObject(0).getJsonObject("schema").getJsonArray("enum");
    assertTrue(files.size() >= 3);
    files.forEach(f -> assertEquals(200, api.get("/docs/" + f, null).status(), "/docs/" + f));
    assertTrue(files.getList().containsAll(assets.stream().map(a -> a.substring("/docs/".length())).toList()),
        () -> "the page loads files the document does not list: " + assets + " vs " + files);
    assertTrue(api.get("/docs/engram-docs.js", null).body().contains("\"/openapi.json\""));
    assertTrue(api.get("/docs/swagger-ui-bundle.js", null).body().contains("SwaggerUIBundle"));
    Api.Response unknown = api.get("/docs/no-such-file.js", null);
    assertEquals(404, unknown.status());
    assertNotNull(unknown.detail());
    assertEquals(404, api.get("/docs/..%2Fopenapi.yaml", null).status());
  }
}
