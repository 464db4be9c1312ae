package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Mem0 routes without inference: storing, listing, paging, updating, deleting, history, search and bad input. */
class MemoryApiTest {
  private static final String MEM0_ADD_IDS = "At least one identifier (user_id, agent_id, run_id) is required.";
  private static final String MEM0_SEARCH_IDS = "At least one of 'user_id', 'agent_id', or 'run_id' must be specified.";
  private static Api api;
  private static MemoryApi mem;
  private static String key;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
    mem = new MemoryApi(api);
    key = api.newUser().getString("api_key");
  }

  @BeforeEach
  void resetLlm() {
    TestServer.llm().reset();
  }

  @Test
  @DisplayName("concurrent verbatim adds (written together, one transaction per batch), each to a run of its own"
      + " (new scopes within a batch), each get their own memories with their history, readable and searchable at"
      + " once, and no user sees another's")
  void concurrentVerbatimAdds() throws Exception {
    String other = api.newUser().getString("api_key");
    int perUser = 24;
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<JsonArray>> added = new java.util.ArrayList<>();
      for (int i = 0; i < perUser; i++) {
        for (String token : List.of(key, other)) {
          String text = (token.equals(key) ? "Key one" : "Key two") + " note number " + i + " about batch-" + i;
          String run = "run-" + i;
          added.add(pool.submit(() -> mem.add(token, new JsonObject().put("user_id", "batcher").put("run_id", run)
              .put("infer", false).put("messages", MemoryApi.turns("user", text, "assistant", "Noted: " + text)))));
        }
      }
      for (int n = 0; n < added.size(); n++) {
        String token = n % 2 == 0 ? key : other;
        String text = (n % 2 == 0 ? "Key one" : "Key two") + " note number " + n / 2 + " about batch-" + n / 2;
        JsonArray results = added.get(n).get();
        assertEquals(2, results.size(), results.encodePrettily());
        assertEquals(text, results.getJsonObject(0).getString("memory"), "each add is answered with its own memories");
        assertEquals("Noted: " + text, results.getJsonObject(1).getString("memory"));
        Api.Response one = api.get("/memories/" + results.getJsonObject(0).getString("id"), token);
        assertEquals(200, one.status(), one.body());
        assertEquals(text, one.json().getString("memory"));
        assertEquals("run-" + n / 2, one.json().getString("run_id"));
        JsonArray history = mem.history(token, results.getJsonObject(0).getString("id"));
        assertEquals(1, history.size(), history.encodePrettily());
        assertEquals("ADD", history.getJsonObject(0).getString("event"));
        JsonArray found = mem.search(token, new JsonObject().put("query", text).put("user_id", "batcher")
            .put("limit", 3)).getJsonArray("results");
        assertTrue(found.stream().anyMatch(o -> text.equals(((JsonObject) o).getString("memory"))),
            "searchable once answered: " + text);
      }
    } finally {
      pool.shutdownNow();
    }
    for (String token : List.of(key, other)) {
      JsonArray listed = mem.list(token, "user_id=batcher");
      assertEquals(2 * perUser, listed.size(), "exactly this user's memories");
      String prefix = token.equals(key) ? "Key one" : "Key two";
      assertTrue(listed.stream().allMatch(o -> ((JsonObject) o).getString("memory").contains(prefix)),
          "no memory of the other user");
    }
  }

  @Test
  @DisplayName("infer=false stores each non-system message as it is, with role, and calls no LLM")
  void verbatim() {
    JsonArray results = mem.add(key, new JsonObject().put("user_id", "alice").put("infer", false)
        .put("metadata", new JsonObject().put("topic", "travel"))
        .put("messages", MemoryApi.turns("system", "You are helpful.", "user", "I am flying to Oslo in May.",
            "assistant", "Enjoy the fjords!")));
    assertEquals(2, results.size(), results.encodePrettily());
    JsonObject first = results.getJsonObject(0);
    assertEquals("ADD", first.getString("event"));
    assertEquals("I am flying to Oslo in May.", first.getString("memory"));
    assertEquals("user", first.getString("role"));
    assertEquals("assistant", results.getJsonObject(1).getString("role"));
    assertEquals(0, TestServer.llm().requestCount(), "no LLM call without inference");

    Api.Response one = api.get("/memories/" + first.getString("id"), key);
    assertEquals(200, one.status(), one.body());
    JsonObject item = one.json();
    assertEquals(List.of("id", "memory", "hash", "metadata", "score", "created_at", "updated_at", "user_id", "role",
        "valid_from", "valid_to", "expiration_date", "provenance"), List.copyOf(item.fieldNames()),
        "Mem0's MemoryItem keys, in order, then the fact's time and where it came from");
    JsonObject provenance = item.getJsonObject("provenance");
    assertEquals("add", provenance.getString("kind"));
    assertEquals(1, provenance.getInteger("message_index"), "the second message of the add (the system one is 0)");
    assertEquals(new JsonArray().add(new JsonObject().put("role", "user").put("content", "I am flying to Oslo in May.")),
        provenance.getJsonArray("messages"), "a verbatim memory names the one message it is");
    assertNotNull(provenance.getString("timestamp"));
    assertNull(item.getValue("score"));
    assertEquals("travel", item.getJsonObject("metadata").getString("topic"));
    assertEquals("alice", item.getString("user_id"));
    assertEquals(32, item.getString("hash").length(), "md5 hex");

    JsonArray history = mem.history(key, first.getString("id"));
    assertEquals(1, history.size());
    assertEquals("ADD", history.getJsonObject(0).getString("event"));
    assertNull(history.getJsonObject(0).getValue("old_memory"));
    assertEquals("I am flying to Oslo in May.", history.getJsonObject(0).getString("new_memory"));
    assertFalse(history.getJsonObject(0).getBoolean("is_deleted"));
  }

  @Test
  @DisplayName("search ranks within the scope, scores are similarities in [0, 1], threshold cuts")
  void searchScoresAndThreshold() {
    String user = "searcher-" + System.nanoTime();
    mem.addVerbatim(key, user, null, "I am allergic to peanuts.", "My sister lives in Toronto.",
        "I play the cello in an amateur orchestra.");
    mem.addVerbatim(key, "someone-else", null, "I am allergic to cats.");
    JsonObject found = mem.search(key, new JsonObject().put("query", "What food must I avoid?")
        .put("user_id", user).put("limit", 3));
    JsonArray results = found.getJsonArray("results");
    assertEquals(3, results.size(), "only this user's three memories: " + results.encodePrettily());
    assertEquals("I am allergic to peanuts.", results.getJsonObject(0).getString("memory"));
    // the order is the hybrid ranking (see HybridMemorySearchTest); the scores are cosine similarities, which need
    // not fall along it, and the best of them is the top hit's here
    for (Object o : results) {
      double score = ((JsonObject) o).getDouble("score");
      assertTrue(score >= 0 && score <= 1, "score in [0, 1]: " + score);
      assertTrue(score <= results.getJsonObject(0).getDouble("score"), "the top hit is also the most similar");
    }
    assertEquals(3, found.getInteger("count"));
    assertEquals(3, found.getJsonArray("memories").size(), "the semantic-memory shape is there too");

    double best = results.getJsonObject(0).getDouble("score");
    double second = results.getJsonObject(1).getDouble("score");
    double cut = (best + second) / 2;
    JsonArray above = mem.search(key, new JsonObject().put("query", "What food must I avoid?").put("user_id", user)
        .put("threshold", cut)).getJsonArray("results");
    assertEquals(1, above.size(), "only scores >= threshold: " + above.encodePrettily());
  }

  @Test
  @DisplayName("a search finds memories of an agent or a run first written to after the user's searches began, and"
      + " no scope of another user")
  void newScopesAreSearchedAtOnce() {
    String user = "scoper-" + System.nanoTime();
    String other = api.newUser().getString("api_key");
    mem.addVerbatim(key, user, null, "I keep bees on the roof.");
    JsonObject byUser = new JsonObject().put("query", "What do I keep?").put("user_id", user).put("limit", 10);
    assertEquals(1, mem.search(key, byUser).getJsonArray("results").size());
    for (int i = 0; i < 3; i++) {
      // each add opens a scope (this user with a new agent, then with a new run) that the searches must see at once
      mem.add(key, new JsonObject().put("user_id", user).put("agent_id", "helper-" + i).put("infer", false)
          .put("messages", MemoryApi.turns("user", "I keep hens number " + i + " in the garden.")));
      mem.add(key, new JsonObject().put("user_id", user).put("run_id", "session-" + i).put("infer", false)
          .put("messages", MemoryApi.turns("user", "I keep goats number " + i + " in the barn.")));
      mem.add(other, new JsonObject().put("user_id", user).put("agent_id", "helper-" + i).put("infer", false)
          .put("messages", MemoryApi.turns("user", "Another tenant keeps ducks number " + i + ".")));
      assertEquals(1 + 2 * (i + 1), mem.search(key, byUser).getJsonArray("results").size(), "after add " + i);
      JsonArray byAgent = mem.search(key, new JsonObject().put("query", "hens").put("agent_id", "helper-" + i))
          .getJsonArray("results");
      assertEquals(1, byAgent.size(), byAgent.encodePrettily());
      assertEquals("I keep hens number " + i + " in the garden.", byAgent.getJsonObject(0).getString("memory"));
      assertEquals(1, mem.search(key, new JsonObject().put("query", "goats").put("user_id", user)
          .put("run_id", "session-" + i)).getJsonArray("results").size());
    }
  }

  @Test
  @DisplayName("PUT changes the text (re-embedded, UPDATE in history) and merges metadata instead of dropping it")
  void updateMergesMetadata() {
    String user = "updater-" + System.nanoTime();
    String id = mem.addVerbatim(key, user, new JsonObject().put("source", "chat").put("priority", 1),
        "I drive a red bicycle.").get(0);
    Api.Response r = api.put("/memories/" + id, key, new JsonObject().put("text", "I ride a blue motorbike.")
        .put("metadata", new JsonObject().put("priority", 2)));
    assertEquals(200, r.status(), r.body());
    assertEquals("Memory updated successfully!", r.json().getString("message"));
    JsonObject item = api.get("/memories/" + id, key).json();
    assertEquals("I ride a blue motorbike.", item.getString("memory"));
    assertEquals("chat", item.getJsonObject("metadata").getString("source"), "kept");
    assertEquals(2, item.getJsonObject("metadata").getInteger("priority"), "replaced");
    JsonArray history = mem.history(key, id);
    assertEquals(List.of("ADD", "UPDATE"), history.stream().map(o -> ((JsonObject) o).getString("event")).toList());
    assertEquals("I drive a red bicycle.", history.getJsonObject(1).getString("old_memory"));
    assertEquals("I ride a blue motorbike.", history.getJsonObject(1).getString("new_memory"));
    JsonArray found = mem.search(key, new JsonObject().put("query", "motorcycle").put("user_id", user))
        .getJsonArray("results");
    assertEquals(id, found.getJsonObject(0).getString("id"), "the new text is what search finds");

    Api.Response metadataOnly = api.put("/memories/" + id, key, new JsonObject()
        .put("metadata", new JsonObject().put("reviewed", true)));
    assertEquals(200, metadataOnly.status(), metadataOnly.body());
    JsonObject after = api.get("/memories/" + id, key).json();
    assertEquals("I ride a blue motorbike.", after.getString("memory"));
    assertTrue(after.getJsonObject("metadata").getBoolean("reviewed"));
  }

  @Test
  @DisplayName("delete one: gone (404), DELETE row in history; delete-all removes every match, over 100 of them")
  void deletes() {
    String user = "deleter-" + System.nanoTime();
    String[] texts = new String[150];
    for (int i = 0; i < texts.length; i++) {
      texts[i] = "Observation number " + i + " about the garden.";
    }
    List<String> ids = mem.addVerbatim(key, user, null, texts);
    assertEquals(150, ids.size());
    mem.addVerbatim(key, user + "-other", null, "I stay.");

    Api.Response one = api.delete("/memories/" + ids.get(0), key);
    assertEquals(200, one.status(), one.body());
    assertEquals("Memory deleted successfully", one.json().getString("message"));
    assertEquals(404, api.get("/memories/" + ids.get(0), key).status());
    assertEquals(404, api.delete("/memories/" + ids.get(0), key).status(), "deleting twice");
    JsonArray history = mem.history(key, ids.get(0));
    JsonObject deleted = history.getJsonObject(history.size() - 1);
    assertEquals("DELETE", deleted.getString("event"));
    assertTrue(deleted.getBoolean("is_deleted"));
    assertNull(deleted.getValue("new_memory"));

    Api.Response all = api.delete("/memories?user_id=" + user, key);
    assertEquals(200, all.status(), all.body());
    assertEquals("All relevant memories deleted", all.json().getString("message"));
    assertEquals(149, all.json().getLong("deleted"));
    assertTrue(mem.list(key, "user_id=" + user).isEmpty());
    assertEquals(1, mem.list(key, "user_id=" + user + "-other").size(), "other scopes untouched");
  }

  @Test
  @DisplayName("GET /memories pages with limit and cursor through every memory, oldest first, no duplicates")
  void paging() {
    String user = "pager-" + System.nanoTime();
    String[] texts = new String[130];
    for (int i = 0; i < texts.length; i++) {
      texts[i] = "Fact " + i;
    }
    List<String> ids = mem.addVerbatim(key, user, null, texts);
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      Api.Response r = api.get("/memories?user_id=" + user + "&limit=50" + (cursor == null ? "" : "&cursor=" + cursor),
          key);
      assertEquals(200, r.status(), r.body());
      r.json().getJsonArray("results").forEach(o -> {
        JsonObject item = (JsonObject) o;
        assertFalse(item.containsKey("score"), "listings carry no score key");
        assertTrue(seen.add(item.getString("id")), "no duplicates across pages");
      });
      cursor = r.json().getString("next_cursor");
      pages++;
    } while (cursor != null);
    assertEquals(3, pages);
    assertEquals(new HashSet<>(ids), seen);
    assertEquals(422, api.get("/memories?user_id=" + user + "&cursor=garbage", key).status());
  }

  @Test
  @DisplayName("scopes: agent_id and run_id narrow listings and searches; at least one id is required")
  void scopesAndRequiredIds() {
    String user = "scoped-" + System.nanoTime();
    mem.add(key, new JsonObject().put("user_id", user).put("agent_id", "tutor").put("run_id", "r1")
        .put("infer", false).put("messages", MemoryApi.turns("user", "Lesson one was about fractions.")));
    mem.add(key, new JsonObject().put("user_id", user).put("agent_id", "coach").put("infer", false)
        .put("messages", MemoryApi.turns("user", "I ran ten kilometres today.")));
    assertEquals(2, mem.list(key, "user_id=" + user).size());
    assertEquals(1, mem.list(key, "user_id=" + user + "&agent_id=tutor").size());
    assertEquals(1, mem.list(key, "run_id=r1&user_id=" + user).size());
    JsonObject item = mem.list(key, "agent_id=coach&user_id=" + user).getJsonObject(0);
    assertEquals("coach", item.getString("agent_id"));
    assertNull(item.getValue("run_id"));

    Api.Response noIds = api.post("/memories", key, new JsonObject().put("messages", MemoryApi.turns("user", "hi")));
    assertEquals(400, noIds.status());
    assertEquals("At least one identifier (user_id, agent_id, run_id) is required.", noIds.detail());
    assertEquals("At least one identifier is required.", api.get("/memories", key).detail());
    assertEquals("At least one identifier is required.", api.delete("/memories", key).detail());
    Api.Response search = api.post("/search", key, new JsonObject().put("query", "x"));
    assertEquals(400, search.status());
    assertEquals("At least one of 'user_id', 'agent_id', or 'run_id' must be specified.", search.detail());
  }

  @Test
  @DisplayName("bad input on every route: a clear 4xx with detail, and nothing stored")
  void badInput() {
    String user = "bad-" + System.nanoTime();
    String id = mem.addVerbatim(key, user, null, "A valid memory.").get(0);
    assertBad(api.post("/memories", key, "{not json"), 400, "Malformed JSON");
    assertBad(api.post("/memories", key, new JsonObject().put("user_id", user)), 422, "messages");
    assertBad(api.post("/memories", key, new JsonObject().put("user_id", user).put("messages", "")), 422, "messages");
    assertBad(api.post("/memories", key, new JsonObject().put("user_id", user)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user")))), 422, "content");
    assertBad(api.post("/memories", key, new JsonObject().put("user_id", 7)
        .put("messages", MemoryApi.turns("user", "x"))), 422, "user_id");
    assertBad(api.post("/memories", key, new JsonObject().put("user_id", user).put("memory_type", "core")
        .put("messages", MemoryApi.turns("user", "x"))), 400, "memory_type");
    assertBad(api.post("/memories", key, new JsonObject().put("user_id", user).put("infer", "yes")
        .put("messages", MemoryApi.turns("user", "x"))), 422, "infer");
    assertBad(api.put("/memories/" + id, key, new JsonObject()), 422, "text");
    assertBad(api.put("/memories/" + id, key, new JsonObject().put("text", "")), 422, "text");
    assertBad(api.put("/memories/not-a-uuid", key, new JsonObject().put("text", "x")), 404, "not found");
    assertBad(api.get("/memories/not-a-uuid/history", key), 404, "not found");
    assertBad(api.post("/search", key, new JsonObject().put("user_id", user)), 422, "query");
    assertBad(api.post("/search", key, new JsonObject().put("query", "x").put("user_id", user).put("limit", 0)),
        422, "limit");
    assertBad(api.post("/search", key, new JsonObject().put("query", "x").put("user_id", user)
        .put("threshold", 1.5)), 422, "threshold");
    assertBad(api.post("/search", key, new JsonObject().put("query", "x").put("user_id", user)
        .put("filters", new JsonObject().put("rating", new JsonObject().put("between", 3)))), 400, "between");
    assertBad(api.get("/memories?user_id=" + user + "&limit=0", key), 422, "limit");
    // 2^64 + 5 is not 5: a number past the long range must not wrap into the bounds
    assertBad(api.post("/search", key, "{\"query\": \"x\", \"user_id\": \"" + user
        + "\", \"limit\": 18446744073709551621}"), 422, "limit");
    // the speaker's name becomes the memory's actor_id: a string, no longer than a scope id
    assertBad(api.post("/memories", key, new JsonObject().put("user_id", user).put("infer", false)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "x").put("name", 7)))),
        422, "messages[0].name");
    assertBad(api.post("/memories", key, new JsonObject().put("user_id", user).put("infer", false)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "x")
            .put("name", "n".repeat(257))))), 422, "at most 256");
    assertEquals(List.of("A valid memory."), mem.list(key, "user_id=" + user).stream()
        .map(o -> ((JsonObject) o).getString("memory")).toList(), "nothing stored by bad requests");
    assertEquals(401, api.get("/memories?user_id=" + user, null).status());
    assertEquals(403, api.get("/memories?user_id=" + user, "sk-wrong").status());
  }

  @Test
  @DisplayName("blank scope ids (\"\", spaces) are Mem0's 400 on add, search, list and delete-all; nothing is stored"
      + " under them and no delete is widened by them")
  void blankIds() {
    String user = "blank-" + System.nanoTime();
    mem.add(key, new JsonObject().put("user_id", user).put("agent_id", "bot").put("infer", false)
        .put("messages", "I like green tea."));
    for (String blank : List.of("", "  ")) {
      String q = URLEncoder.encode(blank, StandardCharsets.UTF_8);
      assertExactly(api.post("/memories", key, add().put("user_id", blank)), MEM0_ADD_IDS);
      assertBad(api.post("/memories", key, add().put("user_id", blank).put("agent_id", "bot")), 400,
          "user_id must not be blank");
      assertBad(api.post("/memories", key, add().put("user_id", user).put("run_id", blank)), 400,
          "run_id must not be blank");
      assertExactly(api.post("/search", key, new JsonObject().put("query", "tea").put("user_id", blank)),
          MEM0_SEARCH_IDS);
      assertBad(api.post("/search", key, new JsonObject().put("query", "tea").put("user_id", user)
          .put("agent_id", blank)), 400, "agent_id must not be blank");
      assertBad(api.post("/search", key, new JsonObject().put("query", "tea").put("user_id", user)
          .put("session_id", blank)), 400, "session_id must not be blank");
      assertExactly(api.post("/search", key, new JsonObject().put("query", "tea")
          .put("filters", new JsonObject().put("user_id", blank))), MEM0_SEARCH_IDS);
      assertExactly(api.get("/memories?user_id=" + q, key), "At least one identifier is required.");
      assertBad(api.get("/memories?user_id=" + q + "&agent_id=bot", key), 400, "user_id must not be blank");
      assertBad(api.delete("/memories?user_id=" + q + "&agent_id=bot", key), 400, "user_id must not be blank");
      assertExactly(api.delete("/memories?run_id=" + q, key), "At least one identifier is required.");
    }
    assertEquals(1, mem.list(key, "agent_id=bot").size(), "nothing stored without a user, nothing deleted");
    assertEquals(1, mem.list(key, "agent_id=bot&user_id=" + user).size());
  }

  @Test
  @DisplayName("scope ids longer than 256 characters are 422 on add, search, list and sessions (they answered 500)")
  void overlongIds() {
    String id = "u".repeat(3000);
    assertBad(api.post("/memories", key, add().put("user_id", id)), 422, "user_id must be at most 256 characters");
    assertBad(api.post("/memories", key, add().put("user_id", "ok").put("agent_id", id)), 422, "agent_id");
    assertBad(api.post("/memories", key, add().put("user_id", "ok").put("run_id", id)), 422, "run_id");
    assertBad(api.post("/search", key, new JsonObject().put("query", "tea").put("user_id", id)), 422, "user_id");
    assertBad(api.get("/memories?user_id=" + id, key), 422, "user_id");
    assertBad(api.post("/sessions", key, new JsonObject().put("user_id", id)), 422, "user_id");
    assertEquals(0, mem.list(key, "user_id=ok").size(), "nothing stored");
    String longest = "v".repeat(256);
    assertEquals(1, mem.add(key, add().put("user_id", longest)).size(), "256 characters are taken");
    assertEquals(1, mem.list(key, "user_id=" + longest).size());
  }

  @Test
  @DisplayName("/configure takes max_tokens as a whole number and temperature in [0, 2]; another value is a 400 that"
      + " applies nothing")
  void configureValues() {
    try {
      assertEquals(200, configure(new JsonObject().put("max_tokens", 1234).put("temperature", 0.3)).status());
      for (Object tokens : List.of(1.5, 0, -5, 2_000_000_000L, "2000", true)) {
        assertBad(configure(new JsonObject().put("model", "other-model").put("max_tokens", tokens)), 400,
            "max_tokens must be a whole number between 1 and 1000000");
      }
      for (Object temperature : List.of(-0.1, 2.5, "hot")) {
        assertBad(configure(new JsonObject().put("max_tokens", 99).put("temperature", temperature)), 400,
            "temperature must be a number between 0 and 2");
      }
      TestServer.llm().enqueue(ScriptedLlm.Step.text("{\"facts\": []}"));
      mem.add(key, new JsonObject().put("user_id", "configured").put("messages", "I like tea."));
      JsonObject sent = TestServer.llm().requests().get(0);
      assertEquals(1234, sent.getInteger("max_tokens"), "refused configurations applied nothing");
      assertEquals(0.3, sent.getDouble("temperature"), 1e-9);
      assertNotEquals("other-model", sent.getString("model"));
    } finally {
      assertEquals(200, configure(new JsonObject().put("max_tokens", 2000.0).put("temperature", 0.1)).status(),
          "a whole number written as 2000.0 is taken");
    }
  }

  private static Api.Response configure(JsonObject llmConfig) {
    return api.post("/configure", TestServer.ADMIN, new JsonObject().put("llm", new JsonObject()
        .put("config", llmConfig)));
  }

  private static JsonObject add() {
    return new JsonObject().put("infer", false).put("messages", "I like green tea.");
  }

  private static void assertExactly(Api.Response r, String detail) {
    assertEquals(400, r.status(), r.body());
    assertEquals(detail, r.detail());
  }

  private static void assertBad(Api.Response r, int status, String mentions) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.detail().toLowerCase().contains(mentions.toLowerCase()), "detail mentions " + mentions + ": "
        + r.detail());
  }
}
