package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Memory search ranks by hybrid search (BM25 and vector), as archival search does: a question about a person finds
 * the fact that names them even when other facts are closer to the question's wording in embedding space. Scores stay
 * cosine similarities, so the threshold keeps its meaning.
 */
class HybridMemorySearchTest {
  private static final String ZORANA = "Zorana says the harbour smells of diesel in the mornings.";
  private static final String CLOSER = "What do people think of the harbour? Most say it is beautiful.";
  private static Api api;
  private static MemoryApi mem;
  private static String key;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi();
    mem = new MemoryApi(api);
    key = api.newUser().getString("api_key");
  }

  @Test
  @DisplayName("a question naming a person ranks that person's fact first, above a fact the vector alone prefers")
  void nameBeatsWording() {
    String user = "hybrid-" + System.nanoTime();
    mem.addVerbatim(key, user, null, CLOSER, "What do tourists think of the old harbour? They love it.",
        "I work in a bakery near the station.", ZORANA, "People say the harbour is lovely at sunset.");
    for (String route : List.of("/search", "/v2/memories/search")) {
      JsonObject body = new JsonObject().put("query", "What does Zorana think of the harbour?")
          .put(route.equals("/search") ? "limit" : "top_k", 5);
      if (route.equals("/search")) {
        body.put("user_id", user);
      } else {
        body.put("filters", new JsonObject().put("user_id", user));
      }
      Api.Response r = api.post(route, key, body);
      assertEquals(200, r.status(), r.body());
      Object answer = io.vertx.core.json.Json.decodeValue(r.body());
      JsonArray results = answer instanceof JsonArray list ? list : ((JsonObject) answer).getJsonArray("results");
      assertEquals(ZORANA, results.getJsonObject(0).getString("memory"), route + ": " + results.encodePrettily());
      double zorana = results.getJsonObject(0).getDouble("score");
      double closer = results.stream().map(JsonObject.class::cast).filter(m -> m.getString("memory").equals(CLOSER))
          .findFirst().orElseThrow().getDouble("score");
      assertTrue(closer > zorana, route + ": the other fact is closer by cosine (" + closer + " > " + zorana
          + "), so the vector alone would have ranked it first; scores are cosine similarities");
    }
  }
}
