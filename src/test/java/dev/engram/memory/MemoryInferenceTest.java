package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Mem0's add with inference against the scripted LLM: fact extraction, then ADD/UPDATE/DELETE/NONE decisions on the
 * nearest memories (shown under small integer ids), applied in one transaction with history rows.
 */
class MemoryInferenceTest {
  private static final Pattern UUID_LIKE = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-");
  private static Api api;
  private static MemoryApi mem;
  private static String key;
  private static ScriptedLlm llm;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
    mem = new MemoryApi(api);
    key = api.newUser().getString("api_key");
    llm = TestServer.llm();
  }

  @BeforeEach
  void resetLlm() {
    llm.reset();
  }

  private static JsonObject addBody(String user, String text) {
    return new JsonObject().put("user_id", user).put("messages", MemoryApi.turns("user", text));
  }

  private static Step json(JsonObject answer) {
    return Step.text(answer.encode());
  }

  private static Step facts(String... facts) {
    return json(new JsonObject().put("facts", new JsonArray(List.of((Object[]) facts))));
  }

  /** Answers extraction with {@code facts}, then lets {@code decide} build the decisions from the shown memories. */
  private static void script(Step facts, Function<JsonArray, JsonArray> decide) {
    llm.enqueue(facts);
    llm.fallback(request -> json(new JsonObject()
        .put("memory", decide.apply(MemoryApi.shown(MemoryApi.prompt(request))))));
  }

  private static JsonObject decision(String id, String text, String event) {
    return new JsonObject().put("id", id).put("text", text).put("event", event);
  }

  @Test
  @DisplayName("ADD, then UPDATE, DELETE and NONE on the nearest memories, each with its history row")
  void addUpdateDeleteNone() {
    String user = "john-" + System.nanoTime();
    script(facts("Name is John", "Likes cheese pizza", "Lives in Berlin"), shown -> {
      assertTrue(shown.isEmpty(), "nothing stored yet");
      return new JsonArray().add(decision("new", "Name is John", "ADD"))
          .add(decision("new", "Likes cheese pizza", "ADD")).add(decision("new", "Lives in Berlin", "ADD"));
    });
    JsonArray added = mem.add(key, addBody(user, "Hi, I'm John. I love cheese pizza and I live in Berlin."));
    assertEquals(3, added.size(), added.encodePrettily());
    added.forEach(o -> assertEquals("ADD", ((JsonObject) o).getString("event")));
    List<JsonObject> requests = llm.requests();
    assertEquals(2, requests.size(), "one extraction call, one decision call");
    JsonObject extraction = requests.get(0);
    assertEquals("json_object", extraction.getJsonObject("response_format").getString("type"));
    assertTrue(MemoryApi.prompt(extraction).contains("I love cheese pizza"),
        "the conversation is the extraction input");
    String pizzaId = idOf(added, "Likes cheese pizza");
    String berlinId = idOf(added, "Lives in Berlin");
    String nameId = idOf(added, "Name is John");

    llm.reset();
    script(facts("Loves cheese and chicken pizza", "Moved to Munich", "Name is John"), shown -> new JsonArray()
        .add(decision(MemoryApi.shownId(shown, "Likes cheese pizza"), "Loves cheese and chicken pizza", "UPDATE")
            .put("old_memory", "Likes cheese pizza"))
        .add(decision(MemoryApi.shownId(shown, "Lives in Berlin"), "Lives in Berlin", "DELETE"))
        .add(decision("new", "Lives in Munich", "ADD"))
        .add(decision(MemoryApi.shownId(shown, "Name is John"), "Name is John", "NONE")));
    JsonArray changed = mem.add(key, addBody(user, "Actually I love chicken on my cheese pizza; I moved to Munich."));
    String decisionPrompt = MemoryApi.prompt(llm.requests().get(1));
    assertFalse(UUID_LIKE.matcher(decisionPrompt).find(), "the model sees small ids, never UUIDs");
    assertEquals(3, changed.size(), "NONE is not reported: " + changed.encodePrettily());
    JsonObject update = find(changed, "UPDATE");
    assertEquals(pizzaId, update.getString("id"));
    assertEquals("Loves cheese and chicken pizza", update.getString("memory"));
    assertEquals("Likes cheese pizza", update.getString("previous_memory"));
    JsonObject delete = find(changed, "DELETE");
    assertEquals(berlinId, delete.getString("id"));
    assertEquals("Lives in Munich", find(changed, "ADD").getString("memory"));

    Api.Response closed = api.get("/memories/" + berlinId, key);
    assertEquals(200, closed.status(), "a DELETE decision closes the fact; it is kept for as_of and history");
    assertNotNull(closed.json().getString("valid_to"), closed.body());
    assertEquals("Name is John", api.get("/memories/" + nameId, key).json().getString("memory"), "NONE: untouched");
    assertEquals(List.of("ADD", "UPDATE"), events(mem.history(key, pizzaId)));
    assertEquals(List.of("ADD", "DELETE"), events(mem.history(key, berlinId)));
    assertEquals(List.of("ADD"), events(mem.history(key, nameId)));
    JsonArray now = mem.list(key, "user_id=" + user);
    assertEquals(java.util.Set.of("Loves cheese and chicken pizza", "Lives in Munich", "Name is John"),
        now.stream().map(o -> ((JsonObject) o).getString("memory")).collect(java.util.stream.Collectors.toSet()));
  }

  @Test
  @DisplayName("a malformed or inconsistent LLM answer fails with 502 and changes nothing")
  void malformedAnswersChangeNothing() {
    String user = "careful-" + System.nanoTime();
    String kept = mem.addVerbatim(key, user, null, "Has a cat named Miso").get(0);

    llm.enqueue(Step.text("Sure! Here are the facts: cat, Miso"));
    Api.Response garbage = api.post("/memories", key, addBody(user, "My cat Miso is three."));
    assertEquals(502, garbage.status(), garbage.body());
    assertTrue(garbage.detail().contains("fact extraction"), garbage.detail());

    script(facts("Cat is three years old"), shown -> new JsonArray()
        .add(decision("new", "Cat is three years old", "ADD"))
        .add(decision("42", "Has a dog", "UPDATE")));
    Api.Response unknownId = api.post("/memories", key, addBody(user, "My cat Miso is three."));
    assertEquals(502, unknownId.status(), unknownId.body());
    assertTrue(unknownId.detail().contains("'42'"), unknownId.detail());

    llm.reset();
    script(facts("Cat is three years old"), shown -> new JsonArray()
        .add(decision(MemoryApi.shownId(shown, "Has a cat named Miso"), "", "EXPLODE")));
    assertEquals(502, api.post("/memories", key, addBody(user, "My cat Miso is three.")).status());

    JsonArray all = mem.list(key, "user_id=" + user);
    assertEquals(1, all.size(), "the ADD of the rejected answer was not applied: " + all.encodePrettily());
    assertEquals(List.of("ADD"), events(mem.history(key, kept)));

    llm.reset();
    llm.enqueue(Step.error(500, new JsonObject().put("error", new JsonObject().put("message", "down"))),
        Step.error(500, new JsonObject().put("error", new JsonObject().put("message", "down"))));
    Api.Response down = api.post("/memories", key, addBody(user, "My cat Miso is three."));
    assertEquals(502, down.status(), down.body());
    assertEquals(1, mem.list(key, "user_id=" + user).size());
  }

  @Test
  @DisplayName("exact duplicates in a scope are stored once; code fences and <think> around the JSON are tolerated")
  void duplicatesAndFences() {
    String user = "dup-" + System.nanoTime();
    mem.addVerbatim(key, user, null, "Speaks Portuguese");
    llm.enqueue(Step.text("<think>the user speaks a language</think>\n```json\n{\"facts\": [\"speaks portuguese.\","
        + " \"Plays chess\"]}\n```"));
    llm.fallback(request -> json(new JsonObject().put("memory", new JsonArray()
        .add(decision("new", "speaks portuguese.", "ADD")).add(decision("new", "Plays chess", "ADD"))
        .add(decision("new", "Plays chess", "ADD")))));
    JsonArray results = mem.add(key, addBody(user, "Falo português e jogo xadrez."));
    assertEquals(List.of("Plays chess"), results.stream().map(o -> ((JsonObject) o).getString("memory")).toList(),
        "the duplicate of an existing memory and the repeated ADD are skipped");
    assertEquals(2, mem.list(key, "user_id=" + user).size());
  }

  @Test
  @DisplayName("no facts: no decision call and no change; procedural memory stores one summary for the agent")
  void noFactsAndProcedural() {
    String user = "quiet-" + System.nanoTime();
    llm.enqueue(facts());
    assertTrue(mem.add(key, addBody(user, "Hi.")).isEmpty());
    assertEquals(1, llm.requestCount(), "no facts, no second call");

    llm.reset();
    llm.enqueue(Step.text("Task: book a flight. Step 1: searched flights LIS-OSL, found TP123 at 09:40."));
    JsonArray results = mem.add(key, new JsonObject().put("agent_id", "travel-bot").put("user_id", user)
        .put("memory_type", "procedural_memory")
        .put("messages", MemoryApi.turns("user", "Book me a flight to Oslo", "assistant", "Searching flights.")));
    assertEquals(1, results.size());
    JsonObject item = api.get("/memories/" + results.getJsonObject(0).getString("id"), key).json();
    assertTrue(item.getString("memory").contains("TP123"));
    assertEquals("procedural_memory", item.getJsonObject("metadata").getString("memory_type"));
    assertEquals("travel-bot", item.getString("agent_id"));
    JsonArray sent = llm.requests().get(0).getJsonArray("messages");
    assertEquals("system", sent.getJsonObject(0).getString("role"));
    assertEquals("Book me a flight to Oslo", sent.getJsonObject(1).getString("content"));

    llm.reset();
    llm.enqueue(Step.text("1. Opened the booking site."));
    String ownPrompt = "Summarise the agent's steps as a numbered list.";
    assertEquals(1, mem.add(key, new JsonObject().put("agent_id", "travel-bot").put("user_id", user)
        .put("memory_type", "procedural_memory").put("prompt", ownPrompt)
        .put("messages", MemoryApi.turns("user", "Book a hotel", "assistant", "Opening the site."))).size());
    assertEquals(ownPrompt, llm.requests().get(0).getJsonArray("messages").getJsonObject(0).getString("content"),
        "the request's prompt replaces the procedural system prompt");

    Api.Response noAgent = api.post("/memories", key, new JsonObject().put("user_id", user)
        .put("memory_type", "procedural_memory").put("messages", MemoryApi.turns("user", "x")));
    assertEquals(400, noAgent.status());
  }

  private static String idOf(JsonArray results, String memory) {
    for (Object o : results) {
      if (((JsonObject) o).getString("memory").equals(memory)) {
        return ((JsonObject) o).getString("id");
      }
    }
    throw new AssertionError(memory + " not in " + results.encode());
  }

  private static JsonObject find(JsonArray results, String event) {
    for (Object o : results) {
      if (((JsonObject) o).getString("event").equals(event)) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError(event + " not in " + results.encode());
  }

  @Test
  @DisplayName("an extracted fact names the messages of the add it came from; an update names the newer add's,"
      + " and the superseded version keeps its own")
  void provenanceNamesTheMessages() {
    String user = "prov-" + System.nanoTime();
    script(facts("Lives in Lisbon"), shown -> new JsonArray().add(decision("new", "Lives in Lisbon", "ADD")));
    JsonObject first = new JsonObject().put("user_id", user).put("messages", MemoryApi.turns(
        "user", "I live in Lisbon.", "assistant", "Lisbon is lovely."));
    String id = mem.add(key, first).getJsonObject(0).getString("id");
    JsonObject item = api.get("/memories/" + id, key).json();
    JsonObject provenance = item.getJsonObject("provenance");
    assertEquals("add", provenance.getString("kind"));
    assertEquals(first.getJsonArray("messages"), provenance.getJsonArray("messages"),
        "every message of the add, as sent: " + provenance.encode());
    assertNull(provenance.getValue("message_index"), "extracted from the whole conversation");
    assertFalse(Instant.parse(provenance.getString("timestamp")).isAfter(Instant.parse(item.getString("created_at"))));

    script(facts("Lives in Porto"), shown -> new JsonArray()
        .add(decision(MemoryApi.shownId(shown, "Lives in Lisbon"), "Lives in Porto", "UPDATE")));
    mem.add(key, addBody(user, "I moved to Porto."));
    JsonArray versions = mem.list(key, "user_id=" + user + "&include_superseded=true");
    assertEquals(2, versions.size(), versions.encodePrettily());
    for (Object o : versions) {
      JsonObject v = (JsonObject) o;
      String said = v.getJsonObject("provenance").getJsonArray("messages").getJsonObject(0).getString("content");
      assertEquals(v.getString("memory").equals("Lives in Porto") ? "I moved to Porto." : "I live in Lisbon.", said,
          v.encodePrettily());
    }

    Api.Response edited = api.put("/memories/" + id, key, new JsonObject().put("text", "Lives in Braga"));
    assertEquals(200, edited.status(), edited.body());
    assertEquals("edit", api.get("/memories/" + id, key).json().getJsonObject("provenance").getString("kind"),
        "a manual edit's text is the caller's own");
  }

  private static List<String> events(JsonArray history) {
    return history.stream().map(o -> ((JsonObject) o).getString("event")).toList();
  }
}
