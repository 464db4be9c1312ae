package dev.engram.store.embedded;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.DirectSql;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A database written before V005 keeps its agents: their persona and human become their first two blocks. */
class BlocksMigrationTest {
  private static final List<String> EARLIER = List.of("V001__users_agents_messages", "V002__archival_sources_jobs",
      "V003__memories_sessions", "V004__context_ids_uncompressed");
  private static final String USER = "00000000-0000-0000-0000-000000000000";
  private static final String AGENT = "3f1e2d4c-5b6a-4789-8abc-def012345678";
  private static final String SYSTEM = "9a8b7c6d-5e4f-4321-8765-43210fedcba9";

  @Test
  @DisplayName("an agent stored by V004 has its persona and human as blocks after V005, and still runs")
  void personaAndHumanBecomeBlocks() throws Exception {
    Path home = TempHomes.create("engram-v005-");
    try (OldStyleCluster old = OldStyleCluster.initAndStart(home.resolve("pgdata"))) {
      PgConnectOptions db = old.options();
      DirectSql.query(db, "create table schema_migrations (version integer primary key, name text not null,"
          + " applied_at timestamptz not null default now())");
      for (int i = 0; i < EARLIER.size(); i++) {
        DirectSql.query(db, sql("db/migration/" + EARLIER.get(i) + ".sql"));
        DirectSql.query(db, "insert into schema_migrations(version, name) values (" + (i + 1) + ", '"
            + EARLIER.get(i).substring(6) + "')");
      }
      DirectSql.query(db, """
          insert into agents(id, user_id, name, preset, persona_template, human_template, persona, human, core_limit,
            tools, in_context_ids, memory_alerted, model, context_window, recall_count, created_at)
          values ('%s', '%s', 'Veteran', 'memgpt_chat', 'sam_pov', null, 'I am an old persona.', 'Name: Old Timer',
            2000, '{send_message,core_memory_append}', '{%s}', false, 'gpt-4', 8192, 1, now() - interval '1 day')
          """.formatted(AGENT, USER, SYSTEM));
      DirectSql.query(db, """
          insert into messages(id, agent_id, user_id, role, text, tokens, created_at)
          values ('%s', '%s', '%s', 'system', 'You are a veteran.', 8, now() - interval '1 day')
          """.formatted(SYSTEM, AGENT, USER));

      try (TestServer server = TestServer.start(home, Map.of("POSTGRES_HOST", "127.0.0.1",
          "POSTGRES_PORT", Integer.toString(old.port()), "POSTGRES_DB", "postgres", "POSTGRES_USER", "postgres",
          "POSTGRES_PASSWORD", "postgres"))) {
        Api api = server.api;
        JsonObject memory = api.get("/api/agents/" + AGENT + "/memory", TestServer.ADMIN).json()
            .getJsonObject("core_memory");
        assertEquals("I am an old persona.", memory.getString("persona"));
        assertEquals("Name: Old Timer", memory.getString("human"));
        JsonArray blocks = new JsonArray(api.get("/v1/agents/agent-" + AGENT + "/core-memory/blocks?order=asc",
            TestServer.ADMIN).body());
        assertEquals(List.of("persona", "human"), blocks.stream().map(b -> ((JsonObject) b).getString("label"))
            .toList());
        assertEquals(2000, blocks.getJsonObject(0).getInteger("limit"));
        assertEquals("sam_pov", api.get("/api/agents/" + AGENT + "/config", TestServer.ADMIN).json()
            .getJsonObject("agent_state").getString("persona"));
        assertEquals("0", DirectSql.value(db, "select count(*) from information_schema.columns"
            + " where table_name = 'agents' and column_name in ('persona', 'human', 'core_limit')"),
            "one source of truth: the old columns are gone");

        // it still runs, and its memory tools edit its blocks
        TestServer.llm().reset().enqueue(Step.toolCall(null, "core_memory_append", new JsonObject()
            .put("name", "human").put("content", "Served in V004").put("request_heartbeat", false)));
        Api.Response sent = api.post("/api/agents/" + AGENT + "/messages", TestServer.ADMIN,
            new JsonObject().put("message", "remember where you come from"));
        assertEquals(200, sent.status(), sent.body());
        assertEquals("Name: Old Timer\nServed in V004", api.get("/api/agents/" + AGENT + "/memory", TestServer.ADMIN)
            .json().getJsonObject("core_memory").getString("human"));
      }
    }
  }

  private static String sql(String resource) throws Exception {
    try (InputStream in = BlocksMigrationTest.class.getClassLoader().getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
