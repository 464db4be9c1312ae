package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.config.EngramConfig;
import dev.engram.store.DatabaseLauncher;
import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import dev.engram.testkit.TempHomes;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** GET /health tells whether PostgreSQL answers: a server on an external database that then goes away. */
class HealthTest {
  @Test
  @DisplayName("healthy while PostgreSQL answers; 503 with database disconnected once it is gone")
  void healthFollowsTheDatabase() throws Exception {
    Path dbHome = TempHomes.create("engram-health-db-");
    var embedded = new EngramConfig.Database(null, null, 5432, "engram", "postgres", null, 4);
    DatabaseLauncher database = DatabaseLauncher.start(embedded, dbHome);
    var options = database.connectOptions();
    try (TestServer server = TestServer.start(TempHomes.create("engram-health-"), Map.of(
        "POSTGRES_HOST", options.getHost(), "POSTGRES_PORT", Integer.toString(options.getPort()),
        "POSTGRES_DB", options.getDatabase(), "POSTGRES_USER", options.getUser(),
        "POSTGRES_PASSWORD", options.getPassword()))) {
      Api.Response up = server.api.keyed("GET", "/health", null, null);
      assertEquals(200, up.status(), up.body());
      assertEquals("connected", up.json().getString("database"));

      database.close();
      Api.Response down = server.api.keyed("GET", "/health", null, null);
      assertEquals(503, down.status(), down.body());
      assertEquals("unhealthy", down.json().getString("status"));
      assertEquals("disconnected", down.json().getString("database"));
      assertNotNull(down.json().getString("timestamp"));
    } finally {
      database.close();
    }
  }
}
