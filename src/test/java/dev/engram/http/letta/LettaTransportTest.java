package dev.engram.http.letta;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Letta transport: trailing slashes, prefixed ids on both APIs, health and models, and the official SDK. */
class LettaTransportTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.api;

  @Test
  @DisplayName("/v1/health/ is public and answers with or without its trailing slash")
  void health() {
    for (String path : new String[] {"/v1/health/", "/v1/health"}) {
      Api.Response r = api.get(path, null);
      assertEquals(200, r.status(), r.body());
      assertEquals("ok", r.json().getString("status"));
    }
  }

  @Test
  @DisplayName("models and embedding models list handles; the other /v1 routes need credentials")
  void models() {
    assertEquals(401, api.get("/v1/models/", null).status());
    String key = api.newUser().getString("api_key");
    JsonArray models = new JsonArray(api.get("/v1/models/", key).body());
    assertEquals("openai/gpt-4", models.getJsonObject(0).getString("handle"));
    JsonArray embeddings = new JsonArray(api.get("/v1/models/embedding", key).body());
    assertEquals(384, embeddings.getJsonObject(0).getInteger("embedding_dim"));
    assertEquals("local/all-minilm-l6-v2", embeddings.getJsonObject(0).getString("handle"));
  }

  @Test
  @DisplayName("an /api route takes a prefixed id in its path and its query as the same object")
  void prefixedIdsOnTheSeedApi() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "prefixed");
    Api.Response bare = api.get("/api/agents/" + agentId + "/config", key);
    Api.Response prefixed = api.get("/api/agents/agent-" + agentId + "/config", key);
    assertEquals(200, prefixed.status(), prefixed.body());
    assertEquals(bare.json().getJsonObject("agent_state").getString("id"),
        prefixed.json().getJsonObject("agent_state").getString("id"));
    JsonArray page = api.get("/api/agents/agent-" + agentId + "/messages-cursor?limit=2", key).json()
        .getJsonArray("messages");
    String newest = page.getJsonObject(0).getString("id");
    Api.Response before = api.get("/api/agents/" + agentId + "/messages-cursor?before=message-" + newest, key);
    assertEquals(200, before.status(), before.body());
    assertFalse(before.json().getJsonArray("messages").stream()
        .anyMatch(m -> ((JsonObject) m).getString("id").equals(newest)));
  }

  @Test
  @DisplayName("a 5xx on a request with effects tells the Letta SDK not to retry it")
  void noRetryAfterEffects() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "failing");
    TestServer.llm().reset().enqueue(dev.engram.testkit.ScriptedLlm.Step.error(500,
        new JsonObject().put("error", new JsonObject().put("message", "down"))),
        dev.engram.testkit.ScriptedLlm.Step.error(500,
        new JsonObject().put("error", new JsonObject().put("message", "down"))));
    Api.Response r = api.post("/api/agents/" + agentId + "/messages", key, new JsonObject().put("message", "hi"));
    assertEquals(502, r.status(), r.body());
    assertEquals("false", r.headers().firstValue("x-should-retry").orElse(null));
  }

  @Test
  @DisplayName("the official Letta SDK reads health, models and embedding models, and gets NotFoundError for an unknown agent")
  void officialSdk() {
    String key = api.newUser().getString("api_key");
    NodeScript.Run run = NodeScript.run("letta-system.cjs",
        Map.of("LETTA_BASE_URL", server.server().baseUrl(), "LETTA_API_KEY", key), 60);
    assertEquals(0, run.exitCode(), run.output());
  }
}
