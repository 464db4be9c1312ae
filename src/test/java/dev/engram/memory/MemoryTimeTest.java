package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Facts with time: a fact the add pipeline supersedes keeps its id with the new text and its earlier version is kept,
 * closed; a fact it deletes is closed; searches and listings see what holds now, what held at {@code as_of}, or every
 * version; {@code expiration_date} hides a memory from then on.
 */
class MemoryTimeTest {
  private static Api api;
  private static MemoryApi mem;
  private static String key;
  private static ScriptedLlm llm;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi();
    mem = new MemoryApi(api);
    key = api.newUser().getString("api_key");
    llm = TestServer.llm();
  }

  @BeforeEach
  void resetLlm() {
    llm.reset();
  }

  /** Extraction answers {@code fact}; the decision is built from the memories the prompt showed. */
  private static void script(String fact, Function<JsonArray, JsonArray> decide) {
    llm.enqueue(Step.text(new JsonObject().put("facts", new JsonArray().add(fact)).encode()));
    llm.fallback(request -> Step.text(new JsonObject()
        .put("memory", decide.apply(MemoryApi.shown(MemoryApi.prompt(request)))).encode()));
  }

  private static JsonObject add(String user, String said) {
    JsonArray results = mem.add(key, new JsonObject().put("user_id", user)
        .put("messages", MemoryApi.turns("user", said)));
    assertEquals(1, results.size(), results.encodePrettily());
    return results.getJsonObject(0);
  }

  private static Map<String, JsonObject> byText(JsonArray items) {
    return items.stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(m -> m.getString("memory"), m -> m, (a, b) -> a));
  }

  private static JsonArray search(String user, JsonObject extra) {
    return mem.search(key, new JsonObject().put("query", "Where does the user live?").put("user_id", user)
        .mergeIn(extra)).getJsonArray("results");
  }

  @Test
  @DisplayName("Lisbon, then Porto: Porto is current, Lisbon superseded with its dates, as_of answers the past")
  void aMoveSupersedesTheOldAddress() throws Exception {
    String user = "mover-" + System.nanoTime();
    script("Lives in Lisbon", shown -> new JsonArray()
        .add(new JsonObject().put("id", "new").put("text", "Lives in Lisbon").put("event", "ADD")));
    String factId = add(user, "I live in Lisbon").getString("id");
    Thread.sleep(20);
    Instant betweenMoves = Instant.now();
    Thread.sleep(20);

    llm.reset();
    script("Lives in Porto", shown -> new JsonArray().add(new JsonObject()
        .put("id", MemoryApi.shownId(shown, "Lives in Lisbon"))
        .put("text", "Lives in Porto").put("event", "UPDATE").put("old_memory", "Lives in Lisbon")));
    JsonObject moved = add(user, "I moved to Porto");
    assertEquals("UPDATE", moved.getString("event"));
    assertEquals(factId, moved.getString("id"), "the fact keeps its id");
    assertEquals("Lives in Lisbon", moved.getString("previous_memory"));

    JsonArray now = search(user, new JsonObject());
    assertEquals(List.of("Lives in Porto"), now.stream().map(o -> ((JsonObject) o).getString("memory")).toList(),
        "only what holds now: " + now.encodePrettily());
    JsonObject porto = now.getJsonObject(0);
    assertNull(porto.getString("valid_to"));

    Map<String, JsonObject> all = byText(search(user, new JsonObject().put("include_superseded", true)));
    assertEquals(2, all.size(), all.toString());
    JsonObject lisbon = all.get("Lives in Lisbon");
    assertEquals(factId, lisbon.getString("superseded_by"));
    assertNotNull(lisbon.getString("valid_to"));
    assertEquals(lisbon.getString("valid_to"), porto.getString("valid_from"), "the new fact starts when the old ends");
    assertTrue(Instant.parse(lisbon.getString("valid_from")).isBefore(betweenMoves));

    JsonArray then = search(user, new JsonObject().put("as_of", betweenMoves.toString()));
    assertEquals(List.of("Lives in Lisbon"), then.stream().map(o -> ((JsonObject) o).getString("memory")).toList());
    JsonArray listedThen = mem.list(key, "user_id=" + user + "&as_of=" + betweenMoves);
    assertEquals(List.of("Lives in Lisbon"), listedThen.stream().map(o -> ((JsonObject) o).getString("memory"))
        .toList());
    assertEquals(List.of("Lives in Porto"), mem.list(key, "user_id=" + user).stream()
        .map(o -> ((JsonObject) o).getString("memory")).toList());
    assertEquals(2, mem.list(key, "user_id=" + user + "&include_superseded=true").size());

    JsonArray history = mem.history(key, factId);
    assertEquals(List.of("ADD", "UPDATE"), history.stream().map(o -> ((JsonObject) o).getString("event")).toList());
    assertEquals("Lives in Porto", history.getJsonObject(1).getString("new_memory"));
    assertEquals(history, mem.history(key, lisbon.getString("id")), "a version shows its fact's chain");

    // moving back is a new fact, not a duplicate of the closed version
    llm.reset();
    script("Lives in Lisbon", shown -> new JsonArray().add(new JsonObject()
        .put("id", MemoryApi.shownId(shown, "Lives in Porto"))
        .put("text", "Lives in Lisbon").put("event", "UPDATE")));
    assertEquals("Lives in Lisbon", add(user, "Back in Lisbon now").getString("memory"));
    assertEquals(3, mem.list(key, "user_id=" + user + "&include_superseded=true").size());

    // an explicit delete removes the fact with its versions
    assertEquals(200, api.delete("/memories/" + factId, key).status());
    assertTrue(mem.list(key, "user_id=" + user + "&include_superseded=true").isEmpty());
    assertEquals(404, api.get("/memories/" + lisbon.getString("id"), key).status());
  }

  @Test
  @DisplayName("a fact the pipeline deletes is closed: gone from search and listing, kept for include_superseded")
  void aDeletedFactIsClosed() {
    String user = "closer-" + System.nanoTime();
    String id = mem.addVerbatim(key, user, null, "Lives in Berlin").get(0);
    script("Does not live in Berlin any more", shown -> new JsonArray()
        .add(new JsonObject().put("id", MemoryApi.shownId(shown, "Lives in Berlin")).put("text", "Lives in Berlin")
            .put("event", "DELETE")));
    assertEquals("DELETE", add(user, "I left Berlin").getString("event"));
    assertTrue(search(user, new JsonObject()).isEmpty());
    assertTrue(mem.list(key, "user_id=" + user).isEmpty());
    JsonArray kept = search(user, new JsonObject().put("include_superseded", true));
    assertEquals(1, kept.size());
    assertEquals(id, kept.getJsonObject(0).getString("id"));
    assertNotNull(kept.getJsonObject(0).getString("valid_to"));
  }

  @Test
  @DisplayName("expiration_date hides a memory from then on; a day means through that day")
  void expirationHides() {
    String user = "expiring-" + System.nanoTime();
    JsonObject body = new JsonObject().put("user_id", user).put("infer", false)
        .put("messages", MemoryApi.turns("user", "Lives in a hotel this week"));
    String expired = mem.add(key, body.copy().put("expiration_date", "2020-01-01")).getJsonObject(0).getString("id");
    String lasting = mem.add(key, body.copy().put("messages", MemoryApi.turns("user", "Lives in Madrid"))
        .put("expiration_date", "2999-12-31")).getJsonObject(0).getString("id");
    assertEquals(List.of(lasting), search(user, new JsonObject()).stream()
        .map(o -> ((JsonObject) o).getString("id")).toList());
    assertEquals(1, mem.list(key, "user_id=" + user).size());
    assertEquals("2020-01-02T00:00:00Z", Instant.parse(api.get("/memories/" + expired, key).json()
        .getString("expiration_date")).toString());
    assertEquals(1, search(user, new JsonObject().put("include_superseded", true)).size(),
        "an expired memory is not a superseded one: it stays hidden");

    // an update can extend it
    assertEquals(200, api.put("/memories/" + expired, key, new JsonObject().put("expiration_date", "2999-01-01"))
        .status());
    assertEquals(2, search(user, new JsonObject()).size());
  }

  @Test
  @DisplayName("bad as_of, include_superseded and expiration_date are 422 with a detail, and nothing is stored")
  void badInput() {
    String user = "bad-time-" + System.nanoTime();
    Api.Response asOf = api.post("/search", key, new JsonObject().put("query", "x").put("user_id", user)
        .put("as_of", "yesterday"));
    assertEquals(422, asOf.status(), asOf.body());
    assertTrue(asOf.detail().contains("as_of"), asOf.detail());
    assertEquals(422, api.get("/memories?user_id=" + user + "&include_superseded=maybe", key).status());
    assertEquals(422, api.get("/memories?user_id=" + user + "&as_of=soon", key).status());
    Api.Response expires = api.post("/memories", key, new JsonObject().put("user_id", user).put("infer", false)
        .put("messages", MemoryApi.turns("user", "x")).put("expiration_date", "next week"));
    assertEquals(422, expires.status(), expires.body());
    assertEquals(422, api.post("/memories", key, new JsonObject().put("user_id", user).put("infer", false)
        .put("messages", MemoryApi.turns("user", "x")).put("expiration_date", 20991231)).status());
    assertTrue(mem.list(key, "user_id=" + user).isEmpty());
  }
}
