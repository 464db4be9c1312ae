package dev.engram.http.letta;

import static dev.engram.http.letta.Letta.*;
import static dev.engram.http.letta.LettaAgentsTest.assertProblem;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Another user's agents and blocks do not exist for a user: every /v1 route of this issue answers 404. */
class LettaIsolationTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json

  @BeforeEach
  void setUp() {
    TestServer.llm().reset();
  }

  @Test
  @DisplayName("user B gets 404 on every route with user A's agent or block ids, and A's objects are unchanged")
  void foreignIdsAre404() {
    String a = api.newUser().getString("api_key");
    String b = api.newUser().getString("api_key");
    JsonObject agent = createAgent(api, a, "Private");
    JsonObject block = createBlock(api, a, block("secret", "The code is 1234"));
    JsonObject bAgent = createAgent(api, b, "Mine");
    String agentId = agent.getString("id");
    String blockId = block.getString("id");
    String tool = api.get("/v1/tools/name/memory_insert", b).body().replace("\"", "");
    JsonObject before = api.get("/v1/agents/" + agentId, a).json();
    int llmCalls = TestServer.llm().requestCount();

    String base = "/v1/agents/" + agentId;
    String id = bare(agentId);
    assertProblem(api.get(base, b), 404, id);
    assertProblem(api.patch(base, b, new JsonObject().put("name", "Stolen")), 404, id);
    assertProblem(api.get(base + "/context", b), 404, id);
    assertProblem(api.patch(base + "/reset-messages", b, new JsonObject()), 404, id);
    assertProblem(api.get(base + "/core-memory/blocks", b), 404, id);
    assertProblem(api.get(base + "/core-memory/blocks/persona", b), 404, id);
    assertProblem(api.patch(base + "/core-memory/blocks/persona", b, new JsonObject().put("value", "x")), 404, id);
    assertProblem(api.patch(base + "/core-memory/blocks/attach/" + blockId, b, null), 404, id);
    assertProblem(api.patch(base + "/core-memory/blocks/detach/" + blockId, b, null), 404, id);
    assertProblem(api.get(base + "/memory", b), 404, id);
    assertProblem(api.patch(base + "/memory", b, new JsonObject().put("human", "x")), 404, id);
    assertProblem(api.get(base + "/memory/archival", b), 404, id);
    assertProblem(api.get(base + "/memory/recall", b), 404, id);
    assertProblem(api.get(base + "/memory/messages", b), 404, id);
    assertProblem(api.get(base + "/tools", b), 404, id);
    assertProblem(api.patch(base + "/tools/attach/" + tool, b, null), 404, id);
    assertProblem(api.patch(base + "/tools/detach/" + tool, b, null), 404, id);
    assertProblem(api.patch(base + "/tools/approval/send_message", b, new JsonObject().put("requires_approval", true)),
        404, id);
    assertProblem(api.get(base + "/export", b), 404, id);
    assertProblem(api.delete(base, b), 404, id);
    // A's block, on its own or given to B's agent
    String bid = bare(blockId);
    assertProblem(api.get("/v1/blocks/" + blockId, b), 404, bid);
    assertProblem(api.patch("/v1/blocks/" + blockId, b, new JsonObject().put("value", "x")), 404, bid);
    assertProblem(api.delete("/v1/blocks/" + blockId, b), 404, bid);
    assertProblem(api.get("/v1/blocks/" + blockId + "/agents", b), 404, bid);
    assertProblem(api.patch("/v1/agents/" + bAgent.getString("id") + "/core-memory/blocks/attach/" + blockId, b,
        null), 404, bid);
    assertProblem(api.patch("/v1/agents/" + bAgent.getString("id"), b,
        new JsonObject().put("block_ids", new JsonArray().add(blockId))), 404, bid);
    assertProblem(api.post("/v1/agents/", b, new JsonObject().put("block_ids", new JsonArray().add(blockId))), 404,
        bid);
    // B's lists hold only B's objects
    assertEquals(java.util.List.of(bAgent.getString("id")), ids(new JsonArray(api.get("/v1/agents/", b).body())));
    assertEquals("1", api.get("/v1/agents/count", b).body());
    assertFalse(api.get("/v1/blocks/", b).body().contains("1234"));

    // nothing of A's changed, and the model was not called
    JsonObject after = api.get("/v1/agents/" + agentId, a).json();
    assertEquals(before, after);
    assertEquals("The code is 1234", api.get("/v1/blocks/" + blockId, a).json().getString("value"));
    assertEquals(llmCalls, TestServer.llm().requestCount());
  }
}
