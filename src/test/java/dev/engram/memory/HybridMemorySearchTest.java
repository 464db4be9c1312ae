package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import dev.engram.testkit.TempHomes;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Memory search ranks by hybrid search (BM25 and vector), as archival search does: a question about a person finds
 * the fact that names them even when other facts are closer to the question's wording in embedding space. Scores stay
 * cosine similarities, so the threshold keeps its meaning. A question asking when weighs the words that place events
 * in time ({@code QueryHints}), in memory and archival search alike.
 */
class HybridMemorySearchTest {
  private static final String ZORANA = "Zorana says the harbour smells of diesel in the mornings.";
  private static final String CLOSER = "What do people think of the harbour? Most say it is beautiful.";
  private static TestServer server;
  private static Api api;
  private static MemoryApi mem;
  private static String key;

  /** A private server: BM25 weighs words by how rare they are in the whole index, which other tests would change. */
  @BeforeAll
  static void start() {
    server = TestServer.start(TempHomes.create("engram-hybrid-"), Map.of());
    api = server.checkedApi();
    mem = new MemoryApi(api);
    key = api.newUser().getString("api_key");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("a question naming a person ranks that person's fact first, above a fact the vector alone prefers")
  void nameBeatsWording() {
    String user = "hybrid-" + System.nanoTime();
    mem.addVerbatim(key, user, null, CLOSER, "What do tourists think of the old harbour? They love it.",
        "I work in a bakery near the station.", ZORANA, "People say the harbour is lovely at sunset.");
    JsonArray results = mem.search(key, new JsonObject().put("query", "What does Zorana think of the harbour?")
        .put("user_id", user).put("limit", 5)).getJsonArray("results");
    assertEquals(ZORANA, results.getJsonObject(0).getString("memory"), results.encodePrettily());
    double zorana = results.getJsonObject(0).getDouble("score");
    double closer = results.stream().map(JsonObject.class::cast).filter(m -> m.getString("memory").equals(CLOSER))
        .findFirst().orElseThrow().getDouble("score");
    assertTrue(closer > zorana, "the other fact is closer by cosine (" + closer + " > " + zorana
        + "), so the vector alone would have ranked it first; scores are cosine similarities");
    JsonArray byVector = mem.search(key, new JsonObject().put("query", "What does Zorana think of the harbour?")
        .put("user_id", user).put("limit", 5).put("mode", "vector")).getJsonArray("results");
    assertEquals(CLOSER, byVector.getJsonObject(0).getString("memory"), "mode vector: similarity alone ranks");
    Api.Response bad = api.post("/search", key, new JsonObject().put("query", "harbour").put("user_id", user)
        .put("mode", "fuzzy"));
    assertEquals(400, bad.status(), bad.body());
  }

  @Test
  @DisplayName("a question asking when ranks the memory that says when first, through /search and archival search")
  void whenQuestionFindsTheDatedMemory() {
    String user = "when-" + System.nanoTime();
    String dated = "I had a filling at the dentist yesterday.";
    List<String> others = List.of("My dentist is Dr. Moss; her practice is on Elm Street.",
        "The dentist says I should floss every day.", "Dentist appointments make me nervous.");
    // "visit" is rarer than "dentist": without the time words this memory would come first
    mem.addVerbatim(key, user, null, others.get(0), others.get(1), dated, others.get(2),
        "I visit my grandmother on Sundays.");
    JsonArray results = mem.search(key, new JsonObject().put("query", "When did I visit the dentist?")
        .put("user_id", user).put("limit", 5)).getJsonArray("results");
    assertEquals(dated, results.getJsonObject(0).getString("memory"), results.encodePrettily());
    // the same rule in archival search: the passage that says when comes first
    String agent = api.newAgent(key, "when-agent");
    for (String text : List.of(others.get(0), others.get(1), dated, others.get(2))) {
      assertEquals(200, api.post("/api/agents/" + agent + "/archival", key, new JsonObject().put("content", text))
          .status());
    }
    Api.Response found = api.get("/api/agents/" + agent + "/archival?limit=4&query="
        + java.net.URLEncoder.encode("When did I visit the dentist?", java.nio.charset.StandardCharsets.UTF_8), key);
    assertEquals(200, found.status(), found.body());
    assertEquals(dated, found.json().getJsonArray("archival_memory").getJsonObject(0).getString("contents"),
        found.body());
  }
}
