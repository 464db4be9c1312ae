package dev.engram.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The web app's page and assets over HTTP: public, from the jar, with a strict content policy, and nothing else. */
class WebAppRoutesTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.api;

  @Test
  @DisplayName("/ answers the app's page without credentials, with a same-origin content policy and no caching")
  void pageIsPublic() {
    Api.Response page = api.get("/", null);
    assertEquals(200, page.status());
    assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"), page.headers()::toString);
    assertTrue(page.body().contains("<script type=\"module\" src=\"/app/js/main.js\">"), page::body);
    String policy = page.headers().firstValue("content-security-policy").orElse("");
    assertTrue(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"), policy);
    assertEquals("no-cache", page.headers().firstValue("cache-control").orElse(""));
    assertEquals("nosniff", page.headers().firstValue("x-content-type-options").orElse(""));
  }

  @Test
  @DisplayName("the assets are served under /app/ as JavaScript modules and CSS; an unknown asset is a 404 detail")
  void assets() {
    Api.Response js = api.get("/app/js/main.js", null);
    assertEquals(200, js.status());
    assertTrue(js.headers().firstValue("content-type").orElse("").contains("javascript"), js.headers()::toString);
    assertTrue(js.body().contains("import"), "a module");
    Api.Response css = api.get("/app/style.css", null);
    assertEquals(200, css.status());
    assertTrue(css.headers().firstValue("content-type").orElse("").startsWith("text/css"));
    Api.Response missing = api.get("/app/js/no-such-module.js", null);
    assertEquals(404, missing.status());
    assertNotNull(missing.detail());
  }

  @Test
  @DisplayName("the assets cannot reach outside the app's folder, and the API behind the page still needs credentials")
  void nothingElseIsOpened() {
    for (String path : new String[] {"/app/../logback.xml", "/app/%2e%2e/logback.xml", "/app/..%2flogback.xml",
        "/app/../db/migration/V001__users_agents_messages.sql"}) {
      try (SocketHttp socket = new SocketHttp(server.port())) {
        socket.head("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0");
        SocketHttp.Reply r = socket.read(Duration.ofSeconds(10));
        assertTrue(r.status() == 404 || r.status() == 401 || r.status() == 400, () -> path + " -> " + r.status());
        assertFalse(r.body().contains("<configuration") || r.body().contains("CREATE TABLE"), path);
      }
    }
    assertEquals(401, api.get("/api/agents", null).status());
    assertEquals(401, api.get("/index.html", null).status());
    assertEquals(401, api.get("/memories?user_id=a", null).status());
  }
}
