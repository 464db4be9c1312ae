package dev.engram.archival;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Mem0 scope attached to an agent, end to end over HTTP: one store, three APIs. A fact added through Mem0 is found
 * by the agent's archival_memory_search (driven by the scripted model) and by the archival search and list routes of
 * /api and /v1, marked as a memory with its provenance; the agent's own inserts can go to the scope, where Mem0 and the
 * semantic-memory /search see them. The official Letta SDK has no call to attach a scope (it knows folders and
 * archives, not Mem0 scopes), so attaching is driven over HTTP; the SDK's own archival search and listing then find
 * the memory.
 */
class MemoryScopeTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();

  @BeforeEach
  void reset() {
    llm.reset();
  }

  private static JsonObject scope(String userId) {
    return new JsonObject().put("scope", new JsonObject().put("user_id", userId));
  }

  /** Mem0's add without inference: the message is stored as it is. */
  private String addFact(String key, String userId, String text) {
    Api.Response r = api.post("/memories", key, new JsonObject().put("user_id", userId).put("infer", false)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text))));
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("results").getJsonObject(0).getString("id");
  }

  private static List<JsonObject> returns(JsonArray events) {
    List<JsonObject> out = new ArrayList<>();
    for (Object o : events) {
      if (((JsonObject) o).containsKey("function_return")) {
        out.add((JsonObject) o);
      }
    }
    return out;
  }

  private Api.Response send(String agentId, String key, String message) {
    return api.post("/api/agents/" + agentId + "/messages", key,
        new JsonObject().put("agent_id", agentId).put("message", message).put("role", "user"));
  }

  @Test
  @DisplayName("a fact added through Mem0 is recalled by the agent's archival_memory_search, marked as a Mem0"
      + " memory, and found by the /api and /v1 archival searches with its provenance; detached, it is not")
  void agentRecallsAFactAddedThroughMem0() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "tea-keeper");
    String user = "ada-" + System.nanoTime();
    String fact = "Ada's favourite tea is smoky lapsang souchong.";
    String memoryId = addFact(key, user, fact);
    assertEquals(200, api.post("/api/agents/" + agentId + "/archival", key,
        new JsonObject().put("content", "The office plant needs water on Mondays.")).status());

    Api.Response attached = api.patch("/v1/agents/agent-" + agentId + "/memory-scopes/attach", key, scope(user));
    assertEquals(200, attached.status(), attached.body());
    JsonArray list = new JsonArray(attached.body());
    assertEquals(1, list.size(), list.encode());
    assertEquals("agent-" + agentId, list.getJsonObject(0).getString("agent_id"));
    assertEquals(user, list.getJsonObject(0).getJsonObject("scope").getString("user_id"));
    assertNull(list.getJsonObject(0).getJsonObject("scope").getString("run_id"));
    assertFalse(list.getJsonObject(0).getBoolean("archival_inserts"));
    assertEquals(list, new JsonArray(api.get("/v1/agents/agent-" + agentId + "/memory-scopes", key).body()));
    assertEquals(list.getJsonObject(0).getString("attached_at"), api.get("/api/agents/" + agentId
        + "/memory-scopes", key).json().getJsonArray("memory_scopes").getJsonObject(0).getString("attached_at"));

    llm.enqueue(
        Step.toolCall("Let me look.", "archival_memory_search", new JsonObject()
            .put("query", "Which tea does Ada like?").put("request_heartbeat", true)),
        Step.sendMessage("Found it.", "Lapsang souchong."));
    Api.Response r = send(agentId, key, "What tea should I buy for Ada?");
    assertEquals(200, r.status(), r.body());
    String found = returns(r.json().getJsonArray("messages")).get(0).getString("function_return");
    assertTrue(found.startsWith("Showing 2 of 2 results"), "the agent's passage and the Mem0 fact: " + found);
    assertTrue(found.contains("from: mem0 user_id=" + user + ", memory: " + fact), found);
    assertTrue(found.contains("memory: The office plant needs water on Mondays."), found);
    assertFalse(found.contains("from: mem0 user_id=" + user + ", memory: The office plant"), found);

    JsonArray hits = api.get("/api/agents/" + agentId + "/archival?query=tea+Ada+likes&limit=5", key).json()
        .getJsonArray("archival_memory");
    JsonObject hit = byText(hits, fact, "contents");
    assertEquals(memoryId, hit.getString("id"), "the memory keeps its Mem0 id");
    JsonObject provenance = hit.getJsonObject("provenance");
    assertEquals("mem0", provenance.getString("kind"));
    assertEquals(memoryId, provenance.getString("memory_id"));
    assertEquals(user, provenance.getJsonObject("scope").getString("user_id"));
    JsonObject origin = provenance.getJsonObject("origin");
    assertEquals("add", origin.getString("kind"));
    assertEquals(fact, origin.getJsonArray("messages").getJsonObject(0).getString("content"),
        "the message of the add it came from");
    assertNotNull(provenance.getString("timestamp"));
    JsonObject own = byText(hits, "The office plant needs water on Mondays.", "contents").getJsonObject("provenance");
    assertEquals("archival", own.getString("kind"));
    assertEquals(agentId, own.getString("agent_id"));

    JsonArray results = api.get("/v1/agents/agent-" + agentId + "/archival-memory/search?query=tea+Ada+likes",
        key).json().getJsonArray("results");
    JsonObject result = byText(results, fact, "content");
    assertEquals(memoryId, result.getString("id"));
    assertEquals("mem0", result.getJsonObject("provenance").getString("kind"));
    assertTrue(byText(results, "The office plant needs water on Mondays.", "content").getString("id")
        .startsWith("passage-"));

    // the semantic-memory API's /search (seed 003) sees the same fact, with its provenance
    Api.Response seed = api.post("/search", key, new JsonObject().put("query", "Ada tea").put("user_id", user));
    assertEquals(200, seed.status(), seed.body());
    JsonObject seedHit = seed.json().getJsonArray("memories").getJsonObject(0);
    assertEquals(memoryId, seedHit.getString("id"));
    assertEquals(fact, seedHit.getJsonObject("value").getString("content"));
    assertEquals("add", seedHit.getJsonObject("provenance").getString("kind"));

    // the listings show the memory too, in creation order, under the same cursors
    JsonArray listed = api.get("/api/agents/" + agentId + "/archival", key).json().getJsonArray("archival_memory");
    assertEquals(List.of(memoryId, hits.getJsonObject(0).getString("id").equals(memoryId)
            ? hits.getJsonObject(1).getString("id") : hits.getJsonObject(0).getString("id")),
        listed.stream().map(o -> ((JsonObject) o).getString("id")).toList(), "the fact was added first");
    assertEquals("mem0", listed.getJsonObject(0).getJsonObject("provenance").getString("kind"));
    JsonArray next = api.get("/api/agents/" + agentId + "/archival?after=" + memoryId, key).json()
        .getJsonArray("archival_memory");
    assertEquals(1, next.size(), next.encode());
    assertEquals("The office plant needs water on Mondays.", next.getJsonObject(0).getString("contents"));
    assertEquals(2, api.get("/api/agents/" + agentId + "/archival/all", key).json().getJsonArray("archival_memory")
        .size());
    JsonArray lettaListed = new JsonArray(api.get("/v1/agents/agent-" + agentId + "/archival-memory?search=lapsang",
        key).body());
    assertEquals(1, lettaListed.size(), lettaListed.encode());
    assertEquals(memoryId, lettaListed.getJsonObject(0).getString("id"));
    assertEquals(fact, lettaListed.getJsonObject(0).getString("text"));
    assertEquals("mem0", lettaListed.getJsonObject(0).getJsonObject("provenance").getString("kind"));
    assertEquals(404, api.get("/api/agents/" + agentId + "/archival?after=" + UUID.randomUUID(), key)
        .status(), "a cursor that names no item listed");

    Api.Response detached = api.patch("/v1/agents/agent-" + agentId + "/memory-scopes/detach", key, scope(user));
    assertEquals(200, detached.status(), detached.body());
    assertEquals("[]", detached.body().strip());
    JsonArray after = api.get("/api/agents/" + agentId + "/archival?query=tea+Ada+likes", key).json()
        .getJsonArray("archival_memory");
    assertEquals(1, after.size(), "only the agent's own passage: " + after.encode());
    assertEquals(1, api.get("/api/agents/" + agentId + "/archival", key).json().getJsonArray("archival_memory")
        .size(), "and only it is listed");
    assertEquals(404, api.patch("/v1/agents/agent-" + agentId + "/memory-scopes/detach", key, scope(user)).status(),
        "a scope that is not attached");
  }

  @Test
  @DisplayName("the official Letta SDK's passages.search and passages.list find the memory of an attached scope")
  void officialLettaSdk() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "sdk-tea-keeper");
    String user = "ada-sdk-" + System.nanoTime();
    String fact = "Ada's favourite tea is smoky lapsang souchong.";
    String memoryId = addFact(key, user, fact);
    assertEquals(200, api.patch("/v1/agents/agent-" + agentId + "/memory-scopes/attach", key, scope(user)).status());
    NodeScript.Run run = NodeScript.run("letta-memory-scopes.cjs", Map.of("LETTA_BASE_URL",
        TestServer.shared().server().baseUrl(), "LETTA_API_KEY", key, "AGENT_ID", "agent-" + agentId,
        "MEMORY_ID", memoryId, "FACT", fact), 120);
    assertEquals(0, run.exitCode(), run.output());
  }

  @Test
  @DisplayName("with archival_inserts the agent's archival_memory_insert becomes a memory of the scope, which Mem0"
      + " lists with the agent as its provenance and the semantic-memory /search finds")
  void agentInsertsGoToTheScope() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "scribe");
    String user = "grace-" + System.nanoTime();
    addFact(key, user, "Grace prefers window seats.");
    Api.Response attached = api.post("/api/agents/" + agentId + "/memory-scopes/attach", key,
        scope(user).put("archival_inserts", true));
    assertEquals(200, attached.status(), attached.body());
    assertTrue(attached.json().getJsonArray("memory_scopes").getJsonObject(0).getBoolean("archival_inserts"));

    String text = "Grace is allergic to peanuts.";
    llm.enqueue(
        Step.toolCall("Worth keeping.", "archival_memory_insert", new JsonObject().put("content", text)
            .put("request_heartbeat", true)),
        Step.sendMessage("Noted.", "I will remember that."));
    Api.Response r = send(agentId, key, "Remember: I am allergic to peanuts.");
    assertEquals(200, r.status(), r.body());
    assertEquals("success", returns(r.json().getJsonArray("messages")).get(0).getString("status"));

    assertEquals(0, api.get("/api/agents/" + agentId + "/memory", key).json().getInteger("archival_memory"),
        "no passage was stored");
    JsonArray memories = api.get("/memories?user_id=" + user, key).json().getJsonArray("results");
    JsonObject stored = byText(memories, text, "memory");
    assertEquals("agent", stored.getJsonObject("provenance").getString("kind"));
    assertEquals(agentId, stored.getJsonObject("provenance").getString("agent_id"));

    Api.Response search = api.post("/search", key, new JsonObject().put("query", "peanut allergy")
        .put("user_id", user).put("limit", 5));
    assertEquals(200, search.status(), search.body());
    JsonArray seedHits = search.json().getJsonArray("memories");
    assertEquals(text, seedHits.getJsonObject(0).getJsonObject("value").getString("content"),
        "the semantic-memory search sees the agent's insert: " + seedHits.encode());
    assertEquals("agent", seedHits.getJsonObject(0).getJsonObject("provenance").getString("kind"));

    JsonArray hits = api.get("/api/agents/" + agentId + "/archival?query=peanut+allergy", key).json()
        .getJsonArray("archival_memory");
    assertEquals(text, hits.getJsonObject(0).getString("contents"), "and the agent finds it again");
  }

  @Test
  @DisplayName("at most one attachment takes the agent's inserts: setting it on another takes it from the first;"
      + " attaching again replaces the flag")
  void oneAttachmentTakesTheInserts() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "router");
    String first = "first-" + System.nanoTime();
    String second = "second-" + System.nanoTime();
    addFact(key, first, "One fact.");
    addFact(key, second, "Another fact.");
    String path = "/api/agents/" + agentId + "/memory-scopes/attach";
    assertEquals(200, api.post(path, key, scope(first).put("archival_inserts", true)).status());
    JsonArray both = api.post(path, key, scope(second).put("archival_inserts", true)).json()
        .getJsonArray("memory_scopes");
    assertEquals(2, both.size());
    assertFalse(both.getJsonObject(0).getBoolean("archival_inserts"), both.encode());
    assertTrue(both.getJsonObject(1).getBoolean("archival_inserts"), both.encode());
    JsonArray again = api.post(path, key, scope(second)).json().getJsonArray("memory_scopes");
    assertEquals(2, again.size(), "attached once");
    assertFalse(again.getJsonObject(1).getBoolean("archival_inserts"), again.encode());
  }

  @Test
  @DisplayName("another user's agents and scopes are 404: a scope id names the caller's own memories only, and an"
      + " agent of another user can be neither read nor attached to")
  void foreignScopesAndAgents() {
    String owner = api.newUser().getString("api_key");
    String other = api.newUser().getString("api_key");
    String ownersAgent = api.newAgent(owner, "owned");
    String othersAgent = api.newAgent(other, "other");
    String user = "linus-" + System.nanoTime();
    addFact(owner, user, "Linus keeps bees on the roof.");

    Api.Response foreignScope = api.patch("/v1/agents/agent-" + othersAgent + "/memory-scopes/attach", other,
        scope(user));
    assertEquals(404, foreignScope.status(), "the other user holds no memories under " + user);
    assertTrue(foreignScope.detail().contains(user), foreignScope.body());
    addFact(other, "own-" + user, "Something else.");
    assertEquals(404, api.patch("/v1/agents/agent-" + ownersAgent + "/memory-scopes/attach", other,
        scope("own-" + user)).status(), "the owner's agent");
    assertEquals(404, api.get("/v1/agents/agent-" + ownersAgent + "/memory-scopes", other).status());
    assertEquals(404, api.post("/api/agents/" + ownersAgent + "/memory-scopes/detach", other, scope(user)).status());
    assertEquals(404, api.get("/api/agents/not-an-id/memory-scopes", owner).status());

    // the same Mem0 id in the other user's own store is another scope: its agent never sees the owner's fact
    addFact(other, user, "A different fact about gardens.");
    assertEquals(200, api.patch("/v1/agents/agent-" + othersAgent + "/memory-scopes/attach", other, scope(user))
        .status());
    JsonArray seen = api.get("/api/agents/" + othersAgent + "/archival?query=bees+on+the+roof", other).json()
        .getJsonArray("archival_memory");
    assertEquals(1, seen.size(), seen.encode());
    assertEquals("A different fact about gardens.", seen.getJsonObject(0).getString("contents"));

    assertEquals(400, api.post("/api/agents/" + ownersAgent + "/memory-scopes/attach", owner,
        new JsonObject().put("scope", new JsonObject())).status(), "a scope needs one of its ids");
    assertEquals(422, api.post("/api/agents/" + ownersAgent + "/memory-scopes/attach", owner,
        new JsonObject().put("archival_inserts", true)).status(), "no scope");
    assertEquals(422, api.post("/api/agents/" + ownersAgent + "/memory-scopes/attach", owner,
        scope(user).put("archival_inserts", "yes")).status());
    assertEquals(0, api.get("/api/agents/" + ownersAgent + "/memory-scopes", owner).json()
        .getJsonArray("memory_scopes").size());
  }

  private static JsonObject byText(JsonArray items, String text, String field) {
    for (Object o : items) {
      if (text.equals(((JsonObject) o).getString(field))) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError("no item with " + field + " '" + text + "' in " + items.encodePrettily());
  }
}
