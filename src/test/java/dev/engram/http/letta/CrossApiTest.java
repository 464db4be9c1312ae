package dev.engram.http.letta;

import static dev.engram.http.letta.Letta.*;
import static dev.engram.http.letta.LettaAgentsTest.assertProblem;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One store behind both APIs: an agent made on either is seen, edited and chatted with on the other. */
class CrossApiTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  @Test
  @DisplayName("an /api agent is a /v1 agent: its persona and human are its blocks, edited on /v1, seen on /api")
  void seedAgentOnV1() {
    String id = api.newAgent(key, "Seeded");
    JsonObject state = api.get("/v1/agents/agent-" + id, key).json();
    assertAgentState(state);
    assertEquals("agent-" + id, state.getString("id"));
    assertEquals("memgpt_agent", state.getString("agent_type"));
    JsonArray blocks = state.getJsonArray("blocks");
    assertEquals(List.of("persona", "human"), blocks.stream().map(b -> ((JsonObject) b).getString("label")).toList());
    JsonObject seedMemory = api.get("/api/agents/" + id + "/memory", key).json().getJsonObject("core_memory");
    assertEquals(seedMemory.getString("human"), byLabel(blocks, "human").getString("value"));
    assertEquals(2000, byLabel(blocks, "human").getInteger("limit"), "the seed's core memory limit");
    assertEquals(8, state.getJsonArray("tools").size());
    assertTrue(ids(new JsonArray(api.get("/v1/agents/", key).body())).contains("agent-" + id));

    assertEquals(200, api.patch("/v1/agents/agent-" + id + "/core-memory/blocks/human", key,
        new JsonObject().put("value", "Name: Grace")).status());
    assertEquals("Name: Grace", api.get("/api/agents/" + id + "/memory", key).json().getJsonObject("core_memory")
        .getString("human"));
    JsonObject config = api.get("/api/agents/" + id + "/config", key).json().getJsonObject("agent_state");
    assertTrue(config.getJsonObject("state").getString("system").contains("<human characters=\"11/2000\">\nName:"
        + " Grace\n</human>"), config.encode());
    assertEquals(200, api.patch("/v1/agents/agent-" + id, key, new JsonObject().put("name", "Reseeded")).status());
    assertEquals("Reseeded", api.get("/api/agents", key).json().getJsonArray("agents").getJsonObject(0)
        .getString("name"));
    assertEquals(200, api.delete("/v1/agents/agent-" + id, key).status());
    assertEquals(404, api.get("/api/agents/" + id + "/config", key).status());
  }

  @Test
  @DisplayName("a /v1 agent is an /api agent: listed, its memory edited and read, chatted with, renamed")
  void lettaAgentOnApi() {
    JsonObject state = createAgent(api, key, new JsonObject().put("name", "Modern")
        .put("memory_blocks", new JsonArray().add(block("persona", "I am Modern.")).add(block("human", "Name: Lin"))
            .add(block("plans", "Trip to Oslo"))));
    String id = bare(state.getString("id"));
    JsonObject listed = api.get("/api/agents", key).json().getJsonArray("agents").getJsonObject(0);
    assertEquals(id, listed.getString("id"));
    assertEquals("Trip to Oslo", listed.getJsonObject("memory").getJsonObject("core_memory").getString("plans"));

    Api.Response edited = api.post("/api/agents/" + id + "/memory", key, new JsonObject().put("human", "Name: Lin Ma"));
    assertEquals(200, edited.status(), edited.body());
    assertEquals("Name: Lin", edited.json().getJsonObject("old_core_memory").getString("human"));
    assertEquals("Name: Lin Ma", api.get("/v1/agents/" + state.getString("id") + "/core-memory/blocks/human", key)
        .json().getString("value"));

    JsonObject reply = Letta.send(api, id, key, "hello from the seed API");
    assertEquals("ok", reply.getJsonArray("messages").stream().map(m -> (JsonObject) m)
        .filter(m -> m.containsKey("assistant_message")).findFirst().orElseThrow().getString("assistant_message"));
    assertTrue(systemPrompt(llm.requests().get(0)).contains("Trip to Oslo"));
    JsonArray inContext = new JsonArray(api.get("/v1/agents/" + state.getString("id") + "/memory/messages", key)
        .body());
    assertTrue(inContext.encode().contains("hello from the seed API"));

    assertEquals(200, api.patch("/api/agents/" + id + "/rename", key, new JsonObject().put("agent_name", "Renamed"))
        .status());
    assertEquals("Renamed", api.get("/v1/agents/" + state.getString("id"), key).json().getString("name"));
    // a /v1 agent without a persona block has none on /api either: an edit of it says so
    JsonObject bare = createAgent(api, key, new JsonObject().put("name", "Blank"));
    assertProblem(api.post("/api/agents/" + bare(bare.getString("id")) + "/memory", key,
        new JsonObject().put("persona", "x")), 422, "persona");
  }
}
