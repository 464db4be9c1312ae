package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static dev.engram.http.Problems.assertOk;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Agents over HTTP: create, list, config, rename, delete, core memory, commands, recall pages, models. */
class AgentApiTest {
  private static final String RH = "{\"type\":\"boolean\",\"description\":\"Request an immediate heartbeat after"
      + " function execution. Set to 'true' if you want to send a follow-up message or run a follow-up function.\"}";
  /** The exact schemas of §5 of the reference, in the memgpt_chat order. */
  private static final List<String> SCHEMAS = List.of(
      "{\"name\":\"send_message\",\"description\":\"Sends a message to the human user.\",\"parameters\":{\"type\":"
          + "\"object\",\"properties\":{\"message\":{\"type\":\"string\",\"description\":\"Message contents. All"
          + " unicode (including emojis) are supported.\"}},\"required\":[\"message\"]}}",
      "{\"name\":\"pause_heartbeats\",\"description\":\"Temporarily ignore timed heartbeats. You may still receive"
          + " messages from manual heartbeats and other events.\",\"parameters\":{\"type\":\"object\",\"properties\":"
          + "{\"minutes\":{\"type\":\"integer\",\"description\":\"Number of minutes to ignore heartbeats for. Max"
          + " value of 360 minutes (6 hours).\"}},\"required\":[\"minutes\"]}}",
      "{\"name\":\"core_memory_append\",\"description\":\"Append to the contents of core memory.\",\"parameters\":"
          + "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"description\":\"Section of the"
          + " memory to be edited (persona or human).\"},\"content\":{\"type\":\"string\",\"description\":\"Content"
          + " to write to the memory. All unicode (including emojis) are supported.\"},\"request_heartbeat\":" + RH
          + "},\"required\":[\"name\",\"content\",\"request_heartbeat\"]}}",
      "{\"name\":\"core_memory_replace\",\"description\":\"Replace the contents of core memory. To delete memories,"
          + " use an empty string for new_content.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"name\":"
          + "{\"type\":\"string\",\"description\":\"Section of the memory to be edited (persona or human).\"},"
          + "\"old_content\":{\"type\":\"string\",\"description\":\"String to replace. Must be an exact match.\"},"
          + "\"new_content\":{\"type\":\"string\",\"description\":\"Content to write to the memory. All unicode"
          + " (including emojis) are supported.\"},\"request_heartbeat\":" + RH + "},\"required\":[\"name\","
          + "\"old_content\",\"new_content\",\"request_heartbeat\"]}}",
      "{\"name\":\"conversation_search\",\"description\":\"Search prior conversation history using case-insensitive"
          + " string matching.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\","
          + "\"description\":\"String to search for.\"},\"page\":{\"type\":\"integer\",\"description\":\"Allows you"
          + " to page through results. Only use on a follow-up query. Defaults to 0 (first page).\"},"
          + "\"request_heartbeat\":" + RH + "},\"required\":[\"query\",\"request_heartbeat\"]}}",
      "{\"name\":\"conversation_search_date\",\"description\":\"Search prior conversation history using a date"
          + " range.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"start_date\":{\"type\":\"string\","
          + "\"description\":\"The start of the date range to search, in the format 'YYYY-MM-DD'.\"},\"end_date\":"
          + "{\"type\":\"string\",\"description\":\"The end of the date range to search, in the format"
          + " 'YYYY-MM-DD'.\"},\"page\":{\"type\":\"integer\",\"description\":\"Allows you to page through results."
          + " Only use on a follow-up query. Defaults to 0 (first page).\"},\"request_heartbeat\":" + RH + "},"
          + "\"required\":[\"start_date\",\"end_date\",\"request_heartbeat\"]}}",
      "{\"name\":\"archival_memory_insert\",\"description\":\"Add to archival memory. Make sure to phrase the"
          + " memory contents such that it can be easily queried later.\",\"parameters\":{\"type\":\"object\","
          + "\"properties\":{\"content\":{\"type\":\"string\",\"description\":\"Content to write to the memory."
          + " All unicode (including emojis) are supported.\"},\"request_heartbeat\":" + RH + "},\"required\":"
          + "[\"content\",\"request_heartbeat\"]}}",
      "{\"name\":\"archival_memory_search\",\"description\":\"Search archival memory using semantic"
          + " (embedding-based) search.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"query\":"
          + "{\"type\":\"string\",\"description\":\"String to search for.\"},\"page\":{\"type\":\"integer\","
          + "\"description\":\"Allows you to page through results. Only use on a follow-up query. Defaults to 0"
          + " (first page).\"},\"request_heartbeat\":" + RH + "},\"required\":[\"query\",\"request_heartbeat\"]}}");

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json

  @BeforeEach
  void reset() {
    TestServer.llm().reset();
  }

  private static String template(String resource) {
    try (InputStream in = AgentApiTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertNotNull(in, resource);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject seedBody(String name) {
    return new JsonObject().put("config", new JsonObject().put("name", name).put("preset", "memgpt_chat")
        .put("human", "cs_phd").put("persona", "sam_pov"));
  }

  private int agentCount(String key) {
    Api.Response r = api.get("/api/agents", key);
    assertOk(r);
    return r.json().getInteger("num_agents");
  }

  private JsonArray allMessages(String agentId, String key) {
    Api.Response r = api.get("/api/agents/" + agentId + "/messages?start=0&count=1000", key);
    assertOk(r);
    return r.json().getJsonArray("messages");
  }

  private void send(String agentId, String key, String text, String reply) {
    TestServer.llm().enqueue(Step.sendMessage("thinking about " + text, reply));
    Api.Response r = api.post("/api/agents/" + agentId + "/messages", key,
        new JsonObject().put("message", text).put("stream", false).put("role", "user"));
    assertOk(r);
    assertTrue(r.json().getJsonArray("messages").stream()
        .anyMatch(e -> reply.equals(((JsonObject) e).getString("assistant_message"))), r.body());
  }

  @Test
  @DisplayName("creating the seed's agent returns its state: ids, templates by name, their texts, and the 6 tools")
  void createSeedAgent() {
    JsonObject user = api.newUser();
    String key = user.getString("api_key");
    Api.Response r = api.post("/api/agents", key, seedBody("MyCustomAgent"));
    assertOk(r);
    JsonObject state = r.json().getJsonObject("agent_state");
    assertEquals(state.getString("id"), UUID.fromString(state.getString("id")).toString());
    assertEquals("MyCustomAgent", state.getString("name"));
    assertEquals(user.getString("user_id"), state.getString("user_id"));
    assertEquals("memgpt_chat", state.getString("preset"));
    assertEquals("sam_pov", state.getString("persona"));
    assertEquals("cs_phd", state.getString("human"));
    String persona = template("prompts/persona_sam_pov.txt");
    String human = template("prompts/human_cs_phd.txt");
    assertTrue(persona.contains("My name is Sam."), persona);
    assertEquals(persona, state.getJsonObject("state").getString("persona"));
    assertEquals(human, state.getJsonObject("state").getString("human"));
    // the system prompt carries both memory blocks
    String system = state.getJsonObject("state").getString("system");
    assertTrue(system.contains(persona) && system.contains(human), system);

    JsonArray functions = state.getJsonArray("functions_schema");
    List<String> names = functions.stream().map(f -> ((JsonObject) f).getString("name")).toList();
    assertEquals(List.of("send_message", "pause_heartbeats", "core_memory_append", "core_memory_replace",
        "conversation_search", "conversation_search_date", "archival_memory_insert", "archival_memory_search"), names);
    for (int i = 0; i < SCHEMAS.size(); i++) {
      assertEquals(new JsonObject(SCHEMAS.get(i)), functions.getJsonObject(i), names.get(i));
    }
    JsonObject send = functions.getJsonObject(0).getJsonObject("parameters");
    assertFalse(send.getJsonObject("properties").containsKey("request_heartbeat"));
    assertFalse(send.getJsonArray("required").contains("request_heartbeat"));
    JsonObject append = functions.getJsonObject(2).getJsonObject("parameters");
    assertTrue(append.getJsonObject("properties").containsKey("request_heartbeat"));
    assertTrue(append.getJsonArray("required").contains("request_heartbeat"));

    // /config answers the same state
    Api.Response config = api.get("/api/agents/" + state.getString("id") + "/config", key);
    assertOk(config);
    JsonObject again = config.json().getJsonObject("agent_state");
    assertEquals(state.getString("name"), again.getString("name"));
    assertEquals(state.getJsonArray("functions_schema"), again.getJsonArray("functions_schema"));
    assertEquals(state.getJsonObject("state").getString("persona"), again.getJsonObject("state").getString("persona"));
  }

  @Test
  @DisplayName("a persona and human given as raw text are used as the memory text itself")
  void rawTextPersonaAndHuman() {
    String key = api.newUser().getString("api_key");
    String persona = "I am Ahab, captain of the Pequod. I speak in long, brooding sentences.";
    String human = "The user is called Ishmael and likes the sea.";
    Api.Response r = api.post("/api/agents", key, new JsonObject().put("config", new JsonObject()
        .put("name", "ahab").put("persona", persona).put("human", human)));
    assertOk(r);
    JsonObject state = r.json().getJsonObject("agent_state");
    assertEquals(persona, state.getJsonObject("state").getString("persona"));
    assertEquals(human, state.getJsonObject("state").getString("human"));
    JsonObject memory = api.get("/api/agents/" + state.getString("id") + "/memory", key).json()
        .getJsonObject("core_memory");
    assertEquals(new JsonObject().put("persona", persona).put("human", human), memory);
  }

  @Test
  @DisplayName("GET /api/agents lists the user's agents with tools, memory, created_at, last_run and sources")
  void listAgents() {
    String key = api.newUser().getString("api_key");
    assertEquals(new JsonObject().put("num_agents", 0).put("agents", new JsonArray()),
        api.get("/api/agents", key).json());
    String first = api.newAgent(key, "first");
    String second = api.newAgent(key, "second");

    JsonObject body = api.get("/api/agents", key).json();
    assertEquals(2, body.getInteger("num_agents"));
    JsonArray agents = body.getJsonArray("agents");
    assertEquals(2, agents.size());
    Set<String> ids = new HashSet<>();
    for (Object o : agents) {
      JsonObject a = (JsonObject) o;
      ids.add(a.getString("id"));
      for (String field : List.of("id", "name", "human", "persona", "created_at", "tools", "memory", "last_run",
          "sources")) {
        assertTrue(a.containsKey(field), field + " missing in " + a.encode());
      }
      assertEquals("cs_phd", a.getString("human"));
      assertEquals("sam_pov", a.getString("persona"));
      OffsetDateTime.parse(a.getString("created_at"));
      assertEquals(8, a.getJsonArray("tools").size());
      assertEquals("send_message", a.getJsonArray("tools").getJsonObject(0).getString("name"));
      JsonObject memory = a.getJsonObject("memory");
      assertEquals(template("prompts/persona_sam_pov.txt"), memory.getJsonObject("core_memory").getString("persona"));
      assertEquals(template("prompts/human_cs_phd.txt"), memory.getJsonObject("core_memory").getString("human"));
      assertTrue(memory.getLong("recall_memory") > 0, memory.encode());
      assertEquals(0L, memory.getLong("archival_memory"));
      assertEquals(new JsonArray(), a.getJsonArray("sources"));
    }
    assertEquals(Set.of(first, second), ids);
  }

  @Test
  @DisplayName("GET /config of an unknown agent is 404, also when the id is not a UUID")
  void configOfUnknownAgent() {
    String key = api.newUser().getString("api_key");
    String unknown = UUID.randomUUID().toString();
    assertError(api.get("/api/agents/" + unknown + "/config", key), 404, unknown);
    assertError(api.get("/api/agents/not-a-uuid/config", key), 404, "not-a-uuid");
  }

  @Test
  @DisplayName("renaming shows in /config and the list; an invalid name is refused and changes nothing")
  void rename() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "before");
    Api.Response r = api.patch("/api/agents/" + agentId + "/rename", key,
        new JsonObject().put("agent_name", "After The Rename_2"));
    assertOk(r);
    assertEquals("After The Rename_2", r.json().getJsonObject("agent_state").getString("name"));
    assertEquals("After The Rename_2", api.get("/api/agents/" + agentId + "/config", key).json()
        .getJsonObject("agent_state").getString("name"));
    assertEquals("After The Rename_2", api.get("/api/agents", key).json().getJsonArray("agents").getJsonObject(0)
        .getString("name"));

    for (String bad : List.of("bad/name", "x".repeat(51), "emoji 🙂")) {
      assertError(api.patch("/api/agents/" + agentId + "/rename", key, new JsonObject().put("agent_name", bad)),
          400, "Agent name must be 1 to 50 characters");
    }
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject()
        .put("name", "bad/name"))), 400, "Agent name must be 1 to 50 characters");
    // exactly 50 characters is fine
    String fifty = "y".repeat(50);
    assertOk(api.patch("/api/agents/" + agentId + "/rename", key, new JsonObject().put("agent_name", fifty)));
    assertEquals(fifty, api.get("/api/agents/" + agentId + "/config", key).json().getJsonObject("agent_state")
        .getString("name"));
    assertEquals(1, agentCount(key));
  }

  @Test
  @DisplayName("an agent name is unique per user (409 on create and rename) but another user may reuse it")
  void duplicateNames() {
    String key = api.newUser().getString("api_key");
    String other = api.newUser().getString("api_key");
    api.newAgent(key, "Twin");
    assertError(api.post("/api/agents", key, seedBody("Twin")), 409, "Twin", "already exists");
    assertEquals(1, agentCount(key));

    String second = api.newAgent(key, "Single");
    assertError(api.patch("/api/agents/" + second + "/rename", key, new JsonObject().put("agent_name", "Twin")), 409,
        "already exists");
    assertEquals("Single", api.get("/api/agents/" + second + "/config", key).json().getJsonObject("agent_state")
        .getString("name"));
    // the failed rename left the agent usable under its name
    assertOk(api.patch("/api/agents/" + second + "/rename", key, new JsonObject().put("agent_name", "Single Two")));

    Api.Response reuse = api.post("/api/agents", other, seedBody("Twin"));
    assertOk(reuse);
    assertEquals("Twin", reuse.json().getJsonObject("agent_state").getString("name"));
  }

  @Test
  @DisplayName("a deleted agent is gone: /config and its other routes are 404 and the list no longer has it")
  void deleteAgent() {
    String key = api.newUser().getString("api_key");
    String keep = api.newAgent(key, "keep");
    String agentId = api.newAgent(key, "drop");
    Api.Response r = api.delete("/api/agents/" + agentId, key);
    assertOk(r);
    assertEquals("Agent agent_id=" + agentId + " successfully deleted", r.json().getString("message"));
    assertError(api.get("/api/agents/" + agentId + "/config", key), 404, agentId);
    assertError(api.get("/api/agents/" + agentId + "/memory", key), 404, agentId);
    assertError(api.get("/api/agents/" + agentId + "/messages?start=0&count=10", key), 404, agentId);
    assertError(api.delete("/api/agents/" + agentId, key), 404, agentId);
    JsonObject list = api.get("/api/agents", key).json();
    assertEquals(1, list.getInteger("num_agents"));
    assertEquals(keep, list.getJsonArray("agents").getJsonObject(0).getString("id"));
    // the name is free again
    assertOk(api.post("/api/agents", key, seedBody("drop")));
  }

  @Test
  @DisplayName("POST /memory replaces a block, answers old and new memory, and the agent's prompt shows the change")
  void updateMemory() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "memo");
    String persona = template("prompts/persona_sam_pov.txt");
    String human = template("prompts/human_cs_phd.txt");
    JsonObject before = api.get("/api/agents/" + agentId + "/memory", key).json();
    assertEquals(new JsonObject().put("human", human).put("persona", persona), before.getJsonObject("core_memory"));
    assertEquals(0L, before.getLong("archival_memory"));
    long recall = before.getLong("recall_memory");
    assertEquals(allMessages(agentId, key).size(), recall);

    String newHuman = "Name: Grace. Occupation: admiral. Likes: COBOL.";
    Api.Response r = api.post("/api/agents/" + agentId + "/memory", key, new JsonObject().put("human", newHuman));
    assertOk(r);
    assertEquals(new JsonObject()
        .put("old_core_memory", new JsonObject().put("human", human).put("persona", persona))
        .put("new_core_memory", new JsonObject().put("human", newHuman).put("persona", persona)), r.json());

    JsonObject after = api.get("/api/agents/" + agentId + "/memory", key).json();
    assertEquals(new JsonObject().put("human", newHuman).put("persona", persona), after.getJsonObject("core_memory"));
    JsonObject state = api.get("/api/agents/" + agentId + "/config", key).json().getJsonObject("agent_state");
    assertEquals(newHuman, state.getJsonObject("state").getString("human"));
    String system = state.getJsonObject("state").getString("system");
    assertTrue(system.contains(newHuman) && !system.contains(human), system);
  }

  @Test
  @DisplayName("a memory block over the 2000-character limit is refused with 422 and nothing changes")
  void memoryLimit() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "limited");
    JsonObject before = api.get("/api/agents/" + agentId + "/memory", key).json();

    assertError(api.post("/api/agents/" + agentId + "/memory", key, new JsonObject().put("human", "h".repeat(2001))),
        422, "2000 character limit");
    // one valid and one invalid block: neither is applied
    assertError(api.post("/api/agents/" + agentId + "/memory", key, new JsonObject()
        .put("persona", "A brand-new persona.").put("human", "h".repeat(2001))), 422, "2000 character limit");
    assertEquals(before, api.get("/api/agents/" + agentId + "/memory", key).json());

    // exactly at the limit is accepted
    assertOk(api.post("/api/agents/" + agentId + "/memory", key, new JsonObject().put("persona", "p".repeat(2000))));
    assertEquals("p".repeat(2000), api.get("/api/agents/" + agentId + "/memory", key).json()
        .getJsonObject("core_memory").getString("persona"));
  }

  @Test
  @DisplayName("POST /command /memory shows the core memory; an unknown command is 422")
  void commands() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "commander");
    String persona = template("prompts/persona_sam_pov.txt");
    for (String command : List.of("/memory", "memory")) {
      Api.Response r = api.post("/api/agents/" + agentId + "/command", key, new JsonObject().put("command", command));
      assertOk(r);
      String response = r.json().getString("response");
      assertTrue(response.contains(persona), response);
      assertTrue(response.contains(template("prompts/human_cs_phd.txt")), response);
    }
    assertError(api.post("/api/agents/" + agentId + "/command", key, new JsonObject().put("command", "/fly")), 422,
        "Unknown command", "fly");
  }

  @Test
  @DisplayName("an unknown preset is 422 and creates no agent")
  void unknownPreset() {
    String key = api.newUser().getString("api_key");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject().put("name", "p")
        .put("preset", "no_such_preset"))), 422, "Unknown preset", "no_such_preset");
    assertEquals(0, agentCount(key));
  }

  @Test
  @DisplayName("GET /messages pages recall newest first with in_context flags; a start past the end is empty")
  void messagePages() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "pager");
    send(agentId, key, "hello there", "Hi! Nice to meet you.");
    // replacing a memory block replaces the system message: the old one leaves the context but stays in recall
    assertOk(api.post("/api/agents/" + agentId + "/memory", key, new JsonObject().put("human", "Name: Ada")));

    JsonArray all = allMessages(agentId, key);
    assertEquals(api.get("/api/agents/" + agentId + "/memory", key).json().getLong("recall_memory"),
        (long) all.size());
    assertTrue(all.size() >= 8, all.encode());
    for (int i = 0; i < all.size(); i++) {
      JsonObject m = all.getJsonObject(i);
      assertTrue(m.getValue("in_context") instanceof Boolean, m.encode());
      assertEquals(agentId, m.getString("agent_id"));
      if (i > 0) {
        OffsetDateTime newer = OffsetDateTime.parse(all.getJsonObject(i - 1).getString("created_at"));
        assertFalse(newer.isBefore(OffsetDateTime.parse(m.getString("created_at"))), "not newest first: " + all);
      }
    }
    JsonObject newest = all.getJsonObject(0);
    JsonObject oldest = all.getJsonObject(all.size() - 1);
    assertEquals("system", newest.getString("role"));
    assertTrue(newest.getBoolean("in_context"));
    assertTrue(newest.getString("text").contains("Name: Ada"));
    assertEquals("system", oldest.getString("role"));
    assertFalse(oldest.getBoolean("in_context"), oldest.encode());
    assertTrue(all.stream().anyMatch(m -> "user".equals(((JsonObject) m).getString("role"))
        && ((JsonObject) m).getString("text").contains("hello there")));

    // a window of the list
    JsonArray window = api.get("/api/agents/" + agentId + "/messages?start=2&count=3", key).json()
        .getJsonArray("messages");
    assertEquals(new JsonArray(all.getList().subList(2, 5)), window);
    // past the end
    Api.Response past = api.get("/api/agents/" + agentId + "/messages?start=" + (all.size() + 5) + "&count=10", key);
    assertOk(past);
    assertEquals(new JsonObject().put("messages", new JsonArray()), past.json());
  }

  @Test
  @DisplayName("/messages-cursor pages back with before=<last id>, without overlap, until the whole recall is seen")
  void messageCursor() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "cursor");
    send(agentId, key, "first", "one");
    send(agentId, key, "second", "two");
    List<String> expected = allMessages(agentId, key).stream().map(m -> ((JsonObject) m).getString("id")).toList();

    List<String> seen = new ArrayList<>();
    String before = null;
    for (int pages = 0; pages < 100; pages++) {
      Api.Response r = api.get("/api/agents/" + agentId + "/messages-cursor?limit=2"
          + (before == null ? "" : "&before=" + before), key);
      assertOk(r);
      JsonArray page = r.json().getJsonArray("messages");
      assertTrue(page.size() <= 2, r.body());
      if (page.isEmpty()) {
        break;
      }
      for (Object m : page) {
        String id = ((JsonObject) m).getString("id");
        assertFalse(seen.contains(id), "pages overlap at " + id);
        seen.add(id);
      }
      before = page.getJsonObject(page.size() - 1).getString("id");
    }
    assertEquals(expected, seen);
    assertTrue(expected.size() > 4, expected.toString());
  }

  @Test
  @DisplayName("GET /api/models needs no credentials and lists the configured model")
  void models() {
    Api.Response r = RawHttp.send(api, "GET", "/api/models", null);
    assertOk(r);
    JsonArray models = r.json().getJsonArray("models");
    assertEquals(1, models.size());
    assertEquals("gpt-4", models.getJsonObject(0).getString("model"));
    assertEquals(8192, models.getJsonObject(0).getInteger("context_window"));
    assertEquals(TestServer.llm().baseUrl(), models.getJsonObject(0).getString("model_endpoint"));
  }
}
