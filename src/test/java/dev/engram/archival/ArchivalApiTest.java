package dev.engram.archival;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Archival memory over REST with real embeddings, the real index and PostgreSQL. */
class ArchivalApiTest {
  private static Api api;
  private static String key;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
    key = api.newUser().getString("api_key");
  }

  private static List<String> insert(String agentId, String token, String content) {
    Api.Response r = api.post("/api/agents/" + agentId + "/archival", token, new JsonObject().put("content", content));
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("ids").stream().map(String::valueOf).toList();
  }

  private static JsonArray search(String agentId, String token, String query, String mode) {
    Api.Response r = api.get("/api/agents/" + agentId + "/archival?limit=3&query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8) + (mode == null ? "" : "&mode=" + mode), token);
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("archival_memory");
  }

  private static JsonArray list(String agentId, String query) {
    Api.Response r = api.get("/api/agents/" + agentId + "/archival" + query, key);
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("archival_memory");
  }

  @Test
  @DisplayName("a paraphrase finds its passage by meaning, in vector and hybrid mode, best first with a score")
  void paraphraseFindsPassage() {
    String agent = api.newAgent(key, "Archivist");
    String peanuts = insert(agent, key, "The user is allergic to peanuts and shellfish.").get(0);
    insert(agent, key, "The user's favourite city is Lisbon, for its light and its tiled facades.");
    insert(agent, key, "Quarterly revenue grew by eight percent on cloud subscriptions.");

    for (String mode : new String[] {"vector", "hybrid", null}) {
      JsonArray found = search(agent, key, "Which foods can the person not eat?", mode);
      assertFalse(found.isEmpty(), "mode " + mode);
      JsonObject best = found.getJsonObject(0);
      assertEquals(peanuts, best.getString("id"), "mode " + mode + ": " + found.encodePrettily());
      assertEquals("The user is allergic to peanuts and shellfish.", best.getString("contents"));
      assertNotNull(best.getDouble("score"));
      if (found.size() > 1) {
        assertTrue(best.getDouble("score") >= found.getJsonObject(1).getDouble("score"), "best first");
      }
    }
    JsonArray text = search(agent, key, "shellfish", "text");
    assertEquals(peanuts, text.getJsonObject(0).getString("id"), "BM25 finds the exact word");
    assertTrue(search(agent, key, "zeppelin", "text").isEmpty(), "no word in common: nothing in text mode");
  }

  @Test
  @DisplayName("GET memory counts archival passages live; long text becomes several chunks, one id each")
  void countAndChunks() {
    String agent = api.newAgent(key, "Counter");
    assertEquals(0, api.get("/api/agents/" + agent + "/memory", key).json().getInteger("archival_memory"));
    StringBuilder essay = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      essay.append("Sentence number ").append(i).append(" talks about rivers, bridges and the towns beside them. ");
    }
    List<String> ids = insert(agent, key, essay.toString());
    assertTrue(ids.size() >= 3, "about 300 tokens a chunk: " + ids.size());
    insert(agent, key, "One more short memory.");
    assertEquals(ids.size() + 1,
        api.get("/api/agents/" + agent + "/memory", key).json().getInteger("archival_memory"));
    assertEquals(ids.size() + 1, list(agent, "/all").size());
  }

  @Test
  @DisplayName("listing pages with after/before cursors in insertion order; delete removes from list and search")
  void pagingAndDelete() {
    String agent = api.newAgent(key, "Pager");
    List<String> ids = new ArrayList<>();
    for (String word : new String[] {"alpha", "bravo", "charlie", "delta", "echo"}) {
      ids.addAll(insert(agent, key, "The code word is " + word + "."));
    }
    JsonArray first = list(agent, "?limit=2");
    assertEquals(List.of(ids.get(0), ids.get(1)), idsOf(first));
    JsonArray next = list(agent, "?limit=2&after=" + ids.get(1));
    assertEquals(List.of(ids.get(2), ids.get(3)), idsOf(next));
    JsonArray before = list(agent, "?limit=2&before=" + ids.get(4));
    assertEquals(List.of(ids.get(2), ids.get(3)), idsOf(before));
    assertTrue(list(agent, "?after=" + ids.get(4)).isEmpty(), "past the end is empty, not an error");

    JsonArray found = search(agent, key, "charlie", "text");
    assertEquals(ids.get(2), found.getJsonObject(0).getString("id"));
    Api.Response deleted = api.delete("/api/agents/" + agent + "/archival?id=" + ids.get(2), key);
    assertEquals(200, deleted.status(), deleted.body());
    assertEquals("Memory id=" + ids.get(2) + " successfully deleted", deleted.json().getString("message"));
    assertFalse(idsOf(search(agent, key, "charlie", "hybrid")).contains(ids.get(2)), "gone from search");
    assertEquals(4, list(agent, "").size());
    assertEquals(404, api.delete("/api/agents/" + agent + "/archival?id=" + ids.get(2), key).status());
  }

  @Test
  @DisplayName("agent A never finds agent B's passages, and another user gets 404 on every archival route")
  void isolation() {
    String a = api.newAgent(key, "Alice-archive");
    String b = api.newAgent(key, "Bob-archive");
    insert(a, key, "Alice keeps her spare key under the blue flowerpot.");
    String bobs = insert(b, key, "Bob keeps his spare key under the blue flowerpot.").get(0);
    for (String mode : new String[] {"vector", "text", "hybrid"}) {
      assertFalse(idsOf(search(a, key, "where is the spare key", mode)).contains(bobs), mode);
    }

    String other = api.newUser().getString("api_key");
    String base = "/api/agents/" + a + "/archival";
    assertEquals(404, api.get(base, other).status());
    assertEquals(404, api.get(base + "/all", other).status());
    assertEquals(404, api.get(base + "?query=key", other).status());
    assertEquals(404, api.post(base, other, new JsonObject().put("content", "intrusion")).status());
    String alices = list(a, "").getJsonObject(0).getString("id");
    assertEquals(404, api.delete(base + "?id=" + alices, other).status());
    assertEquals(404, api.delete("/api/agents/" + b + "/archival?id=" + alices, key).status(),
        "a passage of agent A cannot be deleted through agent B");
    assertEquals(1, list(a, "").size(), "nothing was added or removed");
  }

  @Test
  @DisplayName("bad archival input: empty or missing content, unknown mode, bad limit, malformed cursor")
  void badInput() {
    String agent = api.newAgent(key, "Strict");
    String base = "/api/agents/" + agent + "/archival";
    assertEquals(422, api.post(base, key, new JsonObject().put("content", "  ")).status());
    assertEquals(422, api.post(base, key, new JsonObject()).status());
    assertEquals(422, api.post(base, key, new JsonObject().put("content", 42)).status());
    assertEquals(422, api.get(base + "?query=x&mode=fuzzy", key).status());
    assertEquals(422, api.get(base + "?query=", key).status());
    assertEquals(422, api.get(base + "?limit=0", key).status());
    assertEquals(422, api.get(base + "?after=not-a-uuid", key).status());
    assertEquals(422, api.delete(base, key).status());
    assertTrue(list(agent, "").isEmpty(), "nothing stored");
  }

  static List<String> idsOf(JsonArray items) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(items.getJsonObject(i).getString("id"));
    }
    return out;
  }
}
