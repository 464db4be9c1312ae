package dev.engram.http.letta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.testkit.Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Helpers of the /v1 tests: making agents and blocks, sending on the seed API, reading the model's requests. */
final class Letta {
  /** The keys every AgentState must carry (letta-v1.md §2.1, required in the SDK's typings). */
  static final List<String> AGENT_STATE_KEYS = List.of("id", "agent_type", "blocks", "llm_config", "memory", "name",
      "sources", "system", "tags", "tools");

  private Letta() {}

  static JsonObject block(String label, String value) {
    return new JsonObject().put("label", label).put("value", value);
  }

  /** POST /v1/agents/ (with the SDK's trailing slash); asserts 200 and the AgentState's required keys. */
  static JsonObject createAgent(Api api, String key, JsonObject body) {
    Api.Response r = api.post("/v1/agents/", key, body);
    assertEquals(200, r.status(), r.body());
    JsonObject state = r.json();
    assertAgentState(state);
    return state;
  }

  /** An agent with a persona and a human block, the MemGPT tools and the given name. */
  static JsonObject createAgent(Api api, String key, String name) {
    return createAgent(api, key, new JsonObject().put("name", name).put("model", "openai/gpt-4")
        .put("memory_blocks", new JsonArray().add(block("persona", "I am " + name + "."))
            .add(block("human", "The human is unknown."))));
  }

  static void assertAgentState(JsonObject state) {
    for (String key : AGENT_STATE_KEYS) {
      assertNotNull(state.getValue(key), () -> key + " missing from " + state.encode());
    }
    assertTrue(state.getString("id").startsWith("agent-"), state.getString("id"));
    assertNotNull(state.getJsonObject("memory").getJsonArray("blocks"));
  }

  static JsonObject createBlock(Api api, String key, JsonObject body) {
    Api.Response r = api.post("/v1/blocks/", key, body);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  /** A user message through the seed API (its send path is the same step loop); asserts 200. */
  static JsonObject send(Api api, String agentId, String key, String message) {
    Api.Response r = api.post("/api/agents/" + agentId + "/messages", key,
        new JsonObject().put("message", message).put("role", "user"));
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  /** The system prompt a model request carried. */
  static String systemPrompt(JsonObject request) {
    return request.getJsonArray("messages").getJsonObject(0).getString("content");
  }

  /** The names of the tools a model request offered. */
  static List<String> toolNames(JsonObject request) {
    return request.getJsonArray("tools").stream()
        .map(t -> ((JsonObject) t).getJsonObject("function").getString("name")).toList();
  }

  static List<String> ids(JsonArray items) {
    return items.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  static JsonObject byLabel(JsonArray blocks, String label) {
    return blocks.stream().map(o -> (JsonObject) o).filter(b -> label.equals(b.getString("label"))).findFirst()
        .orElseThrow(() -> new AssertionError("no block " + label + " in " + blocks.encode()));
  }

  static String bare(String prefixed) {
    return prefixed.substring(prefixed.indexOf('-') + 1);
  }
}
