package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The seed's /api templates: humans, personas, presets, config and tools (letta-memgpt.md §2.2, §2.6, §2.7). */
class TemplatesApiTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private String key;

  @BeforeEach
  void setUp() {
    TestServer.llm().reset();
    key = api.newUser().getString("api_key");
  }

  @Test
  @DisplayName("humans and personas: the built-in ones plus the user's, created, read by name and deleted; they are"
      + " the user's block templates on /v1 too")
  void humansAndPersonas() {
    JsonArray humans = api.get("/api/humans", key).json().getJsonArray("humans");
    assertEquals(List.of("basic", "cs_phd"), names(humans));
    assertEquals("First name: Chad", humans.getJsonObject(0).getString("text"));
    assertEquals(List.of("sam_pov"), names(api.get("/api/personas", key).json().getJsonArray("personas")));

    Api.Response created = api.post("/api/personas", key, new JsonObject().put("name", "pirate")
        .put("text", "I am a pirate. Arr."));
    assertEquals(200, created.status(), created.body());
    JsonObject pirate = created.json();
    assertEquals("pirate", pirate.getString("name"));
    assertEquals("I am a pirate. Arr.", pirate.getString("text"));
    assertNotNull(pirate.getString("user_id"));
    assertEquals(List.of("sam_pov", "pirate"), names(api.get("/api/personas", key).json().getJsonArray("personas")));
    assertEquals(pirate, api.get("/api/personas/pirate", key).json());

    // the same row as a template block on /v1
    JsonArray templates = new JsonArray(api.get("/v1/blocks/?templates_only=true&label=persona&name=pirate", key)
        .body());
    assertEquals(1, templates.size());
    assertEquals("block-" + pirate.getString("id"), templates.getJsonObject(0).getString("id"));
    assertTrue(templates.getJsonObject(0).getBoolean("is_template"));

    // an agent created from the template's name takes its text
    Api.Response agent = api.post("/api/agents", key, new JsonObject().put("config", new JsonObject()
        .put("name", "Blackbeard").put("persona", "pirate").put("human", "cs_phd")));
    assertEquals(200, agent.status(), agent.body());
    JsonObject state = agent.json().getJsonObject("agent_state");
    assertEquals("pirate", state.getString("persona"));
    assertEquals("I am a pirate. Arr.", state.getJsonObject("state").getString("persona"));

    assertEquals(pirate, api.delete("/api/personas/pirate", key).json());
    assertError(api.get("/api/personas/pirate", key), 404, "Persona not found");
    assertError(api.delete("/api/humans/basic", key), 403, "built in");
    assertError(api.get("/api/humans/nobody", key), 404, "Human not found");
    assertError(api.post("/api/humans", key, new JsonObject().put("name", "x")), 422, "text");
    assertError(api.post("/api/humans", key, new JsonObject().put("text", "x")), 422, "name");
    assertError(api.post("/api/humans", key, "{bad"), 400, "JSON");
    assertEquals(2, api.get("/api/humans", key).json().getJsonArray("humans").size(), "nothing stored");
    // another user sees only the built-in ones
    String other = api.newUser().getString("api_key");
    api.post("/api/humans", key, new JsonObject().put("name", "mine").put("text", "Only mine"));
    assertError(api.get("/api/humans/mine", other), 404, "Human not found");
  }

  @Test
  @DisplayName("presets: the built-in memgpt_chat plus the user's; an agent made from a user preset uses its texts")
  void presets() {
    JsonArray presets = api.get("/api/presets", key).json().getJsonArray("presets");
    assertEquals(List.of("memgpt_chat"), names(presets));
    JsonObject chat = presets.getJsonObject(0);
    assertEquals(8, chat.getJsonArray("functions_schema").size());
    assertEquals("sam_pov", chat.getString("persona_name"));
    assertEquals(chat, api.get("/api/presets/memgpt_chat", key).json());

    JsonArray functions = new JsonArray().add(new JsonObject().put("name", "send_message"))
        .add(new JsonObject().put("name", "core_memory_append")).add(new JsonObject().put("name", "no_such_tool"));
    Api.Response created = api.post("/api/presets", key, new JsonObject().put("name", "terse")
        .put("description", "short answers").put("system", "Answer in five words.").put("persona", "I am terse.")
        .put("persona_name", "terse_persona").put("human", "Someone busy.").put("functions_schema", functions));
    assertEquals(200, created.status(), created.body());
    JsonObject terse = created.json().getJsonObject("preset");
    assertEquals("terse", terse.getString("name"));
    assertEquals(terse, api.get("/api/presets/terse", key).json());
    assertError(api.post("/api/presets", key, new JsonObject().put("name", "terse").put("system", "x")
        .put("functions_schema", new JsonArray())), 409, "terse");
    assertError(api.post("/api/presets", key, new JsonObject().put("name", "nosystem")
        .put("functions_schema", new JsonArray())), 422, "system");
    assertError(api.post("/api/presets", key, new JsonObject().put("name", "nofunctions").put("system", "x")), 422,
        "functions_schema");

    Api.Response agent = api.post("/api/agents", key, new JsonObject().put("config", new JsonObject()
        .put("name", "Terse One").put("preset", "terse")));
    assertEquals(200, agent.status(), agent.body());
    JsonObject state = agent.json().getJsonObject("agent_state");
    assertEquals("terse", state.getString("preset"));
    assertEquals("terse_persona", state.getString("persona"));
    assertEquals("I am terse.", state.getJsonObject("state").getString("persona"));
    assertTrue(state.getJsonObject("state").getString("system").startsWith("Answer in five words."));
    assertEquals(List.of("send_message", "core_memory_append"), names(state.getJsonArray("functions_schema")));

    assertEquals(200, api.delete("/api/presets/" + terse.getString("id"), key).status());
    assertError(api.get("/api/presets/terse", key), 404, "Preset not found");
    assertError(api.delete("/api/presets/" + chat.getString("id"), key), 403, "built in");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject().put("name", "x")
        .put("preset", "terse"))), 422, "Unknown preset");
  }

  @Test
  @DisplayName("config shows the defaults and the storage without secrets; tools list the built-in ones")
  void configAndTools() {
    JsonObject config = api.get("/api/config", key).json();
    JsonObject c = config.getJsonObject("config");
    assertEquals("memgpt_chat", c.getString("preset"));
    assertEquals("sam_pov", c.getString("persona"));
    assertEquals("gpt-4", c.getJsonObject("default_llm_config").getString("model"));
    assertEquals(384, c.getJsonObject("default_embedding_config").getInteger("embedding_dim"));
    assertNotNull(config.getJsonObject("defaults"));
    assertFalse(config.encode().contains("password"), config.encode());

    JsonArray tools = api.get("/api/tools", key).json().getJsonArray("tools");
    assertTrue(names(tools).contains("core_memory_append"));
    JsonObject one = api.get("/api/tools/send_message", key).json();
    assertEquals("send_message", one.getJsonObject("json_schema").getString("name"));
    assertError(api.get("/api/tools/rm_rf", key), 404, "rm_rf");
  }

  private static List<String> names(JsonArray items) {
    return items.stream().map(o -> ((JsonObject) o).getString("name")).toList();
  }
}
