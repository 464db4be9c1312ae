package dev.engram.store.embedded;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.DirectSql;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A home made by an earlier Engram (trust, everything owned by postgres) is made private at its first new start. */
class UpgradeTest {
  /** What an earlier Engram left in pg_hba.conf (initdb -A trust). */
  private static final String TRUST_HBA = """
      local   all             all                                     trust
      host    all             all             127.0.0.1/32            trust
      host    all             all             ::1/128                 trust
      """;

  @BeforeEach
  void reset() {
    TestServer.llm().reset();
  }

  @Test
  @DisplayName("an old home keeps its data; trust is gone, passwords are set, engram owns every object")
  void oldHomeIsUpgraded() throws Exception {
    Path home = TempHomes.create("engram-upgrade-");
    String key;
    String agentId;
    try (OldStyleCluster old = OldStyleCluster.initAndStart(home.resolve("pgdata"))) {
      PgConnectOptions db = old.options();
      try (TestServer before = TestServer.start(home, Map.of("POSTGRES_HOST", "127.0.0.1",
          "POSTGRES_PORT", Integer.toString(old.port()), "POSTGRES_DB", "postgres", "POSTGRES_USER", "postgres",
          "POSTGRES_PASSWORD", "postgres"))) {
        key = before.api.newUser().getString("api_key");
        agentId = before.api.newAgent(key, "Veteran");
        TestServer.llm().enqueue(Step.sendMessage(null, "Remembered from before the upgrade."));
        Api.Response sent = before.api.post("/api/agents/" + agentId + "/messages", key,
            new JsonObject().put("message", "remember me across the upgrade").put("stream", false));
        assertEquals(200, sent.status(), sent.body());
      }
      // objects of every kind the setup hands over, as an operator might have added them
      for (String sql : List.of("create function public.answer() returns int language sql as 'select 42'",
          "create sequence public.standalone", "create view public.agent_names as select name from agents",
          "create type public.mood as enum ('calm', 'busy')", "create domain public.positive as int check (value > 0)",
          "create aggregate public.total(int) (sfunc = int4pl, stype = int)")) {
        DirectSql.query(db, sql);
      }
      assertEquals("postgres", DirectSql.value(db, "select tableowner from pg_tables where tablename = 'agents'"));
    }

    try (TestServer after = TestServer.start(home, Map.of())) {
      assertRemembered(after.api, agentId, key);
      PgConnectOptions engram = after.server().databaseOptions();
      assertEquals("engram", engram.getUser());
      assertEquals("0", DirectSql.value(engram, """
          select (select count(*) from pg_class where relnamespace = 'public'::regnamespace
                    and relowner <> 'engram'::regrole)
               + (select count(*) from pg_proc where pronamespace = 'public'::regnamespace
                    and proowner <> 'engram'::regrole)
               + (select count(*) from pg_type where typnamespace = 'public'::regnamespace
                    and typowner <> 'engram'::regrole)
               + (select count(*) from pg_namespace where nspname = 'public' and nspowner <> 'engram'::regrole)
          """));
      assertEquals("42", DirectSql.value(engram, "select answer()"));
      assertEquals("1", DirectSql.value(engram, "select nextval('standalone')"));
      assertPrivate(home, engram);
    }

    // an upgrade cut short before its last step (pg_hba.conf) is done again, over the finished work
    Files.writeString(home.resolve("pgdata/pg_hba.conf"), TRUST_HBA);
    try (TestServer again = TestServer.start(home, Map.of())) {
      assertRemembered(again.api, agentId, key);
      assertPrivate(home, again.server().databaseOptions());
    }
  }

  private static void assertRemembered(Api api, String agentId, String key) {
    String recall = api.messages(agentId, key, 100).encode();
    assertTrue(recall.contains("remember me across the upgrade"), recall);
    assertTrue(recall.contains("Remembered from before the upgrade."), recall);
  }

  private static void assertPrivate(Path home, PgConnectOptions engram) throws Exception {
    assertEquals(ClusterSetup.HBA, Files.readString(home.resolve("pgdata/pg_hba.conf")));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("pgpass"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("pgdata"))));
    assertEquals("false", DirectSql.value(engram, "select rolsuper from pg_roles where rolname = current_user"));
    Exception oldPassword = DirectSql.refused(new PgConnectOptions(engram).setUser("postgres")
        .setPassword("postgres"), "select 1");
    assertTrue(oldPassword instanceof PgException pg && "28P01".equals(pg.getSqlState()), oldPassword.toString());
  }
}
