package dev.engram.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.config.EngramConfig;
import dev.engram.store.DatabaseLauncher;
import dev.engram.testkit.Api;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** /health with its component checks, /health/live and /health/ready, public and over real HTTP. */
class HealthRoutesTest {
  @Test
  @DisplayName("/health keeps its fields and adds every component up; /health/live and /health/ready answer 200")
  void allUp() {
    Api api = TestServer.shared().checkedApi();
    Api.Response r = RawHttp.send(api, "GET", "/health", null);
    assertEquals(200, r.status(), r.body());
    JsonObject body = r.json();
    assertEquals("healthy", body.getString("status"));
    assertEquals("connected", body.getString("database"));
    assertNotNull(body.getString("timestamp"));
    JsonObject components = body.getJsonObject("components");
    for (String name : new String[] {"database", "index", "embedder", "llm"}) {
      assertEquals("up", components.getJsonObject(name).getString("status"), () -> name + ": " + r.body());
    }
    assertTrue(components.getJsonObject("index").getJsonObject("entries").containsKey("archival"), r.body());
    assertEquals("all-MiniLM-L6-v2", components.getJsonObject("embedder").getString("model"), r.body());

    Api.Response live = RawHttp.send(api, "GET", "/health/live", null);
    assertEquals(200, live.status(), live.body());
    assertEquals("alive", live.json().getString("status"));
    Api.Response ready = RawHttp.send(api, "GET", "/health/ready", null);
    assertEquals(200, ready.status(), ready.body());
    assertEquals("ready", ready.json().getString("status"));
    assertEquals(new JsonObject().put("database", "up").put("migrations", "done").put("index", "ready"),
        ready.json().getJsonObject("checks"));
  }

  @Test
  @DisplayName("an unreachable LLM degrades /health (still 200, still ready); a lost database makes /health and"
      + " /health/ready 503 while /health/live stays 200")
  void degradedThenDown() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path dbHome = TempHomes.create("engram-ready-db-");
    var embedded = new EngramConfig.Database(null, null, 5432, "engram", "postgres", null, 4);
    DatabaseLauncher database = DatabaseLauncher.start(embedded, dbHome);
    var options = database.connectOptions();
    try (TestServer server = TestServer.start(TempHomes.create("engram-ready-"), Map.of(
        "OPENAI_BASE_URL", "http://127.0.0.1:" + closedPort + "/v1",
        "POSTGRES_HOST", options.getHost(), "POSTGRES_PORT", Integer.toString(options.getPort()),
        "POSTGRES_DB", options.getDatabase(), "POSTGRES_USER", options.getUser(),
        "POSTGRES_PASSWORD", options.getPassword()))) {
      Api.Response degraded = RawHttp.send(server.api, "GET", "/health", null);
      assertEquals(200, degraded.status(), degraded.body());
      assertEquals("healthy", degraded.json().getString("status"));
      JsonObject llm = degraded.json().getJsonObject("components").getJsonObject("llm");
      assertEquals("degraded", llm.getString("status"), degraded.body());
      assertTrue(llm.getString("detail").contains("cannot be reached"), degraded.body());
      assertEquals(200, RawHttp.send(server.api, "GET", "/health/ready", null).status());

      database.close();
      Api.Response down = RawHttp.send(server.api, "GET", "/health", null);
      assertEquals(503, down.status(), down.body());
      assertEquals("unhealthy", down.json().getString("status"));
      assertEquals("disconnected", down.json().getString("database"));
      assertEquals("down", down.json().getJsonObject("components").getJsonObject("database").getString("status"));
      Api.Response notReady = RawHttp.send(server.api, "GET", "/health/ready", null);
      assertEquals(503, notReady.status(), notReady.body());
      assertEquals("not_ready", notReady.json().getString("status"));
      assertEquals("down", notReady.json().getJsonObject("checks").getString("database"));
      assertTrue(notReady.json().getString("detail").contains("database"), notReady.body());
      assertEquals(200, RawHttp.send(server.api, "GET", "/health/live", null).status());
    } finally {
      database.close();
    }
  }
}
