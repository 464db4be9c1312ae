package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Ids that are not canonical UUIDs (36 lower-case characters): in a path they name nothing (404, as an unknown id);
 * in a query parameter or a body they are a wrong field (422 naming it). Never a 500, and never another id: Java's
 * UUID parser reads "1-1-1-1-1" as 00000001-0001-0001-0001-000000000001, and an upper-case spelling as the same row.
 */
class MalformedIdTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private String key;
  private String agentId;
  private String sourceId;
  private String memoryId;
  private String sessionId;

  @BeforeEach
  void setUp() {
    TestServer.llm().reset();
    key = api.newUser().getString("api_key");
    agentId = api.newAgent(key, "kept");
    sourceId = api.post("/api/sources", key, new JsonObject().put("name", "kept-source")).json().getString("id");
    memoryId = api.post("/memories", key, new JsonObject().put("user_id", "alice").put("infer", false)
        .put("messages", "I keep bees.")).json().getJsonArray("results").getJsonObject(0).getString("id");
    sessionId = api.post("/sessions", key, new JsonObject().put("user_id", "alice")).json().getString("session_id");
  }

  /** Spellings of {@code id} that Java's UUID parser took, and ids that are not UUIDs at all. */
  private static List<String> malformed(String id) {
    return List.of(id.toUpperCase(), id.substring(1), id + "0", id.replace("-", ""), "1-1-1-1-1", "not-a-uuid");
  }

  @Test
  @DisplayName("an agent id in the path that is not a canonical UUID is 404 on every agent route, archival included")
  void agentRoutes() {
    assertTrue(agentId.chars().anyMatch(Character::isLetter), "the upper-case spelling differs: " + agentId);
    for (String id : malformed(agentId)) {
      String base = "/api/agents/" + id;
      assertError(api.get(base + "/config", key), 404, "not found");
      assertError(api.patch(base + "/rename", key, new JsonObject().put("agent_name", "renamed")), 404, "not found");
      assertError(api.get(base + "/memory", key), 404, "not found");
      assertError(api.post(base + "/memory", key, new JsonObject().put("human", "changed")), 404, "not found");
      assertError(api.post(base + "/command", key, new JsonObject().put("command", "/memory")), 404, "not found");
      assertError(api.post(base + "/messages", key, new JsonObject().put("message", "hello?")), 404, "not found");
      assertError(api.get(base + "/messages?start=0&count=5", key), 404, "not found");
      assertError(api.get(base + "/messages-cursor?limit=5", key), 404, "not found");
      assertError(api.get(base + "/archival", key), 404, "not found");
      assertError(api.get(base + "/archival?query=bees", key), 404, "not found");
      assertError(api.get(base + "/archival/all", key), 404, "not found");
      assertError(api.post(base + "/archival", key, new JsonObject().put("content", "a fact")), 404, "not found");
      assertError(api.delete(base + "/archival?id=" + UUID.randomUUID(), key), 404, "not found");
      assertError(api.delete(base, key), 404, "not found");
    }
    JsonObject config = api.get("/api/agents/" + agentId + "/config", key).json().getJsonObject("agent_state");
    assertEquals("kept", config.getString("name"), "the agent was not renamed through another spelling");
    assertEquals(0, api.get("/api/agents/" + agentId + "/archival", key).json().getJsonArray("archival_memory")
        .size(), "nothing was inserted through another spelling");
    assertEquals(0, TestServer.llm().requestCount(), "the model was never called");
  }

  @Test
  @DisplayName("source, job, memory and session ids in the path that are not canonical UUIDs are 404")
  void otherRoutes() {
    for (String id : malformed(sourceId)) {
      String base = "/api/sources/" + id;
      assertError(api.get(base, key), 404, "not found");
      assertError(api.post(base, key, new JsonObject().put("name", "renamed")), 404, "not found");
      assertError(api.post(base + "/attach?agent_id=" + agentId, key, null), 404, "not found");
      assertError(api.post(base + "/detach?agent_id=" + agentId, key, null), 404, "not found");
      assertError(api.get(base + "/passages", key), 404, "not found");
      assertError(api.get(base + "/documents", key), 404, "not found");
      assertError(api.delete(base, key), 404, "not found");
      assertError(api.get("/api/sources/status/" + id, key), 404, "not found");
    }
    for (String id : malformed(memoryId)) {
      assertError(api.get("/memories/" + id, key), 404, "not found");
      assertError(api.put("/memories/" + id, key, new JsonObject().put("text", "I keep wasps.")), 404, "not found");
      assertError(api.get("/memories/" + id + "/history", key), 404, "not found");
      assertError(api.delete("/memories/" + id, key), 404, "not found");
    }
    for (String id : malformed(sessionId)) {
      assertError(api.get("/sessions/" + id, key), 404, "not found");
      assertError(api.post("/chat", key, new JsonObject().put("message", "hi").put("session_id", id)
          .put("user_id", "alice")), 404, "not found");
      assertError(api.delete("/sessions/" + id, key), 404, "not found");
    }
    assertEquals("kept-source", api.get("/api/sources/" + sourceId, key).json().getString("name"));
    assertEquals("I keep bees.", api.get("/memories/" + memoryId, key).json().getString("memory"));
    assertEquals(200, api.get("/sessions/" + sessionId, key).status());
  }

  @Test
  @DisplayName("ids in query parameters (cursors, agent_id, id) that are not canonical UUIDs are 422 naming the field")
  void queryIds() {
    String passage = api.post("/api/agents/" + agentId + "/archival", key, new JsonObject().put("content", "Bees"))
        .json().getJsonArray("ids").getString(0);
    String message = api.messages(agentId, key, 1).getJsonObject(0).getString("id");
    for (String id : malformed(message)) {
      assertError(api.get("/api/agents/" + agentId + "/messages-cursor?before=" + id, key), 422, "before");
      assertError(api.get("/api/agents/" + agentId + "/messages-cursor?after=" + id, key), 422, "after");
    }
    for (String id : malformed(passage)) {
      assertError(api.get("/api/agents/" + agentId + "/archival?after=" + id, key), 422, "after");
      assertError(api.get("/api/agents/" + agentId + "/archival?before=" + id, key), 422, "before");
      assertError(api.get("/api/sources/" + sourceId + "/passages?after=" + id, key), 422, "after");
      assertError(api.delete("/api/agents/" + agentId + "/archival?id=" + id, key), 422, "id");
    }
    for (String id : malformed(agentId)) {
      assertError(api.post("/api/sources/" + sourceId + "/attach?agent_id=" + id, key, null), 422, "agent_id");
    }
    JsonArray archival = api.get("/api/agents/" + agentId + "/archival", key).json().getJsonArray("archival_memory");
    assertEquals(1, archival.size(), "the passage was not deleted through another spelling");
    assertTrue(api.get("/api/sources/" + sourceId, key).json().getJsonObject("metadata_")
        .getJsonArray("attached_agents", new JsonArray()).isEmpty(), "nothing attached");
  }

  @Test
  @DisplayName("a cursor that names nothing in the listing (unknown, another user's, another agent's or source's) is"
      + " 404, and never a position in someone else's data; the last item's cursor is the end (an empty page)")
  void cursorsNamingNothing() {
    api.post("/api/agents/" + agentId + "/archival", key, new JsonObject().put("content", "Bees"));
    String passage = api.post("/api/agents/" + agentId + "/archival", key, new JsonObject().put("content", "Ants"))
        .json().getJsonArray("ids").getString(0);
    String message = api.messages(agentId, key, 1).getJsonObject(0).getString("id");
    JsonArray recall = api.messages(agentId, key, 1000);
    String oldest = recall.getJsonObject(recall.size() - 1).getString("id");
    String otherKey = api.newUser().getString("api_key");
    String otherAgent = api.newAgent(otherKey, "other");
    // another user's passage, made after this user's: as a position it would have shown this user's passage
    String foreign = api.post("/api/agents/" + otherAgent + "/archival", otherKey,
        new JsonObject().put("content", "Wasps")).json().getJsonArray("ids").getString(0);
    String foreignMessage = api.messages(otherAgent, otherKey, 1).getJsonObject(0).getString("id");
    String archival = "/api/agents/" + agentId + "/archival";
    String cursor = "/api/agents/" + agentId + "/messages-cursor";
    for (String id : List.of(UUID.randomUUID().toString(), foreign, agentId)) {
      assertError(api.get(archival + "?before=" + id, key), 404, "before", "names no passage");
      assertError(api.get(archival + "?after=" + id, key), 404, "after", "names no passage");
      assertError(api.get("/api/sources/" + sourceId + "/passages?after=" + id, key), 404, "after");
    }
    for (String id : List.of(UUID.randomUUID().toString(), foreignMessage, agentId)) {
      assertError(api.get(cursor + "?before=" + id, key), 404, "before", "names no message");
      assertError(api.get(cursor + "?after=" + id, key), 404, "after", "names no message");
    }
    // the cursors of the listing itself still page, and its ends are empty pages, not errors
    assertEquals(1, api.get(archival + "?before=" + passage, key).json().getJsonArray("archival_memory").size());
    assertEquals(0, api.get(archival + "?after=" + passage, key).json().getJsonArray("archival_memory").size());
    assertEquals(0, api.get(cursor + "?after=" + message, key).json().getJsonArray("messages").size());
    assertEquals(0, api.get(cursor + "?before=" + oldest, key).json().getJsonArray("messages").size());
    assertTrue(api.get(cursor + "?before=" + message, key).json().getJsonArray("messages").size() > 0);
  }
}
