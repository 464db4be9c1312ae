package dev.engram.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.testkit.Api;
import dev.engram.testkit.DirectSql;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two Engram processes that are not one cluster never serve one database: the second is refused at its start, saying
 * why, and a process whose claim another one took while its connection was lost stops serving.
 */
class DatabaseClaimTest {
  private static final String HOLDERS = """
      SELECT pg_terminate_backend(l.pid) FROM pg_locks l
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
         AND l.objid = (%d & 4294967295)::oid""".formatted(DatabaseClaim.LOCK_KEY);

  @Test
  @DisplayName("a second process on the same database is refused at start, and nothing of it runs")
  void secondProcessIsRefused() throws Exception {
    try (TestServer first = TestServer.start(TempHomes.create("claim-first"), Map.of())) {
      Api api = new Api(first.server().baseUrl());
      String agentId = api.newAgent(TestServer.ADMIN, "claimed");
      PgConnectOptions db = first.server().databaseOptions();
      Map<String, String> sameDatabase = Map.of("POSTGRES_HOST", db.getHost(),
          "POSTGRES_PORT", String.valueOf(db.getPort()), "POSTGRES_DB", db.getDatabase(),
          "POSTGRES_USER", db.getUser(), "POSTGRES_PASSWORD", db.getPassword());

      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> TestServer.start(TempHomes.create("claim-second"), sameDatabase));
      Throwable cause = refused;
      while (cause != null && !(cause instanceof DatabaseClaim.HeldElsewhere)) {
        cause = cause.getCause();
      }
      assertNotNull(cause, "the start failed for another reason: " + refused);
      assertTrue(cause.getMessage().startsWith("Another Engram process is serving this database"), cause.getMessage());
      assertTrue(cause.getMessage().contains("backend pid"), cause.getMessage());

      // the first one is untouched: its agent is there and it still answers
      assertEquals(200, api.get("/api/agents/" + agentId + "/config", TestServer.ADMIN).status());
    }
  }

  @Test
  @DisplayName("a process that lost its claim to another process stops serving")
  void lostClaimStopsTheProcess() throws Exception {
    TestServer first = TestServer.start(TempHomes.create("claim-lost"), Map.of());
    Vertx vertx = Vertx.vertx();
    try {
      PgConnectOptions db = first.server().databaseOptions();
      Api api = new Api(first.server().baseUrl());
      ExecutionException held = assertThrows(ExecutionException.class, () -> take(vertx, db));
      assertInstanceOf(DatabaseClaim.HeldElsewhere.class, held.getCause());

      // cut the first process's claim connection, then take the claim before it can take it back
      DirectSql.query(db, HOLDERS);
      DatabaseClaim second = null;
      for (int i = 0; i < 40 && second == null; i++) {
        try {
          second = take(vertx, db);
        } catch (ExecutionException e) {
          Thread.sleep(20);
        }
      }
      assertNotNull(second, "the claim was not released when its connection ended");

      boolean stopped = false;
      for (int i = 0; i < 100 && !stopped; i++) {
        Thread.sleep(100);
        try {
          api.get("/health", null);
        } catch (IllegalStateException e) {
          stopped = e.getCause() instanceof java.io.IOException; // the connection is refused: nobody listens
        }
      }
      assertTrue(stopped, "the process went on serving a database another process had claimed");
      second.release().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      first.close();
      vertx.close();
    }
  }

  private static DatabaseClaim take(Vertx vertx, PgConnectOptions db) throws Exception {
    return DatabaseClaim.take(vertx, db, () -> { }).toCompletionStage().toCompletableFuture().get(10,
        TimeUnit.SECONDS);
  }
}
