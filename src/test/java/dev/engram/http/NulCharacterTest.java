package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.SocketFrames;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL text and jsonb cannot hold U+0000, so the edge refuses it everywhere with one rule: a NUL in any JSON
 * string or key, query parameter, path segment, multipart name or WebSocket frame answers 400 naming where it was,
 * and nothing is stored.
 */
class NulCharacterTest {
  private static final String NUL = "\u0000";
  private static final String RULE = "NUL character (U+0000)";

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private String key;
  private String agentId;
  private String sourceId;
  private JsonObject memoryBefore;
  private JsonArray messagesBefore;

  @BeforeEach
  void setUp() {
    TestServer.llm().reset();
    key = api.newUser().getString("api_key");
    agentId = api.newAgent(key, "target");
    sourceId = api.post("/api/sources", key, new JsonObject().put("name", "docs").put("description", "d")).json()
        .getString("id");
    memoryBefore = api.get("/api/agents/" + agentId + "/memory", key).json();
    messagesBefore = api.messages(agentId, key, 1000);
  }

  /** The user still has one agent, one source (unchanged), no memories, no archival passages, no model calls. */
  private void assertNothingStored() {
    JsonObject agents = api.get("/api/agents", key).json();
    assertEquals(1, agents.getInteger("num_agents"), agents.encode());
    assertEquals(memoryBefore, api.get("/api/agents/" + agentId + "/memory", key).json());
    assertEquals(messagesBefore, api.messages(agentId, key, 1000));
    JsonArray sources = api.get("/api/sources", key).json().getJsonArray("sources");
    assertEquals(1, sources.size(), sources.encode());
    assertEquals("docs", sources.getJsonObject(0).getString("name"));
    assertEquals("d", sources.getJsonObject(0).getString("description"));
    assertTrue(api.get("/api/agents/" + agentId + "/archival", key).json().getJsonArray("archival_memory").isEmpty());
    assertTrue(api.get("/memories?user_id=alice", key).json().getJsonArray("results").isEmpty());
    assertEquals(0, TestServer.llm().requestCount(), () -> "the model was called: " + TestServer.llm().requests());
  }

  @Test
  @DisplayName("NUL in a JSON string on the /api routes answers 400 naming the field, and nothing is stored")
  void apiBodies() {
    String agent = "/api/agents/" + agentId;
    assertError(api.post("/api/sources", key, new JsonObject().put("name", "a" + NUL)), 400, RULE, "name");
    assertError(api.post("/api/sources", key, new JsonObject().put("name", "ok").put("description", NUL)), 400, RULE,
        "description");
    assertError(api.post("/api/sources/" + sourceId, key, new JsonObject().put("name", "b" + NUL)), 400, RULE);
    assertError(api.post("/api/sources/" + sourceId, key, new JsonObject().put("description", "x" + NUL)), 400, RULE,
        "description");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject().put("name", "n")
        .put("persona", "p" + NUL))), 400, RULE, "config.persona");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject().put("name", "n")
        .put("human", NUL + "h"))), 400, RULE, "config.human");
    assertError(api.post(agent + "/memory", key, new JsonObject().put("human", "h" + NUL)), 400, RULE, "human");
    assertError(api.post(agent + "/memory", key, new JsonObject().put("persona", "p" + NUL)), 400, RULE, "persona");
    assertError(api.post(agent + "/archival", key, new JsonObject().put("content", "c" + NUL)), 400, RULE,
        "content");
    assertError(api.patch(agent + "/rename", key, new JsonObject().put("agent_name", "r" + NUL)), 400, RULE);
    // agent messages too: one rule for every route (a NUL in a message used to be accepted)
    assertError(api.post(agent + "/messages", key, new JsonObject().put("message", "hi" + NUL)), 400, RULE,
        "message");
    assertError(api.post(agent + "/messages", key, new JsonObject().put("message", "hi" + NUL).put("stream", true)),
        400, RULE);
    assertNothingStored();
  }

  @Test
  @DisplayName("NUL in the memory APIs (content, ids, metadata keys and values, filters, sessions, chat) answers 400")
  void memoryBodies() {
    JsonArray turns = new JsonArray().add(new JsonObject().put("role", "user").put("content", "I like tea"));
    JsonArray nulTurns = new JsonArray().add(new JsonObject().put("role", "user").put("content", "I like" + NUL));
    assertError(api.post("/memories", key, new JsonObject().put("messages", nulTurns).put("user_id", "alice")
        .put("infer", false)), 400, RULE, "messages[0].content");
    assertError(api.post("/memories", key, new JsonObject().put("messages", turns).put("user_id", "al" + NUL)
        .put("infer", false)), 400, RULE, "user_id");
    assertError(api.post("/memories", key, new JsonObject().put("messages", turns).put("user_id", "alice")
        .put("infer", false).put("metadata", new JsonObject().put("k" + NUL, "v"))), 400, RULE, "key", "metadata");
    assertError(api.post("/memories", key, new JsonObject().put("messages", turns).put("user_id", "alice")
        .put("infer", false).put("metadata", new JsonObject().put("k", "v" + NUL))), 400, RULE, "metadata.k");
    assertError(api.post("/search", key, new JsonObject().put("query", "tea").put("user_id", "alice")
        .put("filters", new JsonObject().put("topic", "drinks" + NUL))), 400, RULE, "filters.topic");
    assertError(api.post("/search", key, new JsonObject().put("query", "t" + NUL).put("user_id", "alice")), 400,
        RULE, "query");
    assertError(api.post("/sessions", key, new JsonObject().put("user_id", "alice" + NUL)), 400, RULE, "user_id");
    assertError(api.post("/sessions", key, new JsonObject().put("user_id", "alice").put("session_name", NUL)), 400,
        RULE, "session_name");
    assertError(api.post("/chat", key, new JsonObject().put("message", "hi" + NUL).put("session_id",
        UUID.randomUUID().toString()).put("user_id", "alice")), 400, RULE, "message");
    assertError(api.put("/memories/" + UUID.randomUUID(), key, new JsonObject().put("text", "t" + NUL)), 400, RULE);
    assertNothingStored();
  }

  @Test
  @DisplayName("NUL in a query parameter (name or value) or a path segment answers 400 naming it")
  void queryAndPath() {
    assertError(api.get("/memories?user_id=al%00ice", key), 400, RULE, "query parameter user_id");
    assertError(api.delete("/memories?run_id=%00", key), 400, RULE, "query parameter run_id");
    assertError(api.get("/memories?user%00id=alice", key), 400, RULE, "query parameter");
    assertError(api.get("/api/agents/" + agentId + "/archival?query=te%00a", key), 400, RULE, "query");
    assertError(api.get("/api/agents/a%00b/config", key), 400, RULE, "path");
    assertError(api.get("/memories/%00", key), 400, RULE, "path");
    assertError(api.delete("/api/sources/" + sourceId + "%00", key), 400, RULE, "path");
    assertNothingStored();
  }

  @Test
  @DisplayName("a WebSocket frame with NUL answers an error frame with status 400, and the socket stays open")
  void webSocketFrames() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    SocketFrames frames = new SocketFrames();
    WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(URI.create("ws://localhost:" + TestServer.shared().port() + "/api/agents/" + agentId + "/ws"),
            frames).get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(new JsonObject().put("message", "hi" + NUL).encode(), true).get(5, TimeUnit.SECONDS);
      JsonObject error = frames.next();
      assertEquals(400, error.getInteger("status"), error.encode());
      assertTrue(error.getString("error").contains(RULE), error.encode());
      // still open: the next frame is answered on the same socket
      ws.sendText(new JsonObject().put("message", " ").encode(), true).get(5, TimeUnit.SECONDS);
      assertEquals(422, frames.next().getInteger("status"));
    } finally {
      ws.abort();
    }
    assertNothingStored();
  }
}
