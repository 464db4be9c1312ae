package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two users of one server never see each other's memories, history or sessions; configure and reset. */
class MemoryIsolationTest {
  private static Api api;
  private static MemoryApi mem;
  private static String alice;
  private static String bob;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
    mem = new MemoryApi(api);
    alice = api.newUser().getString("api_key");
    bob = api.newUser().getString("api_key");
  }

  @Test
  @DisplayName("another user's memory or session id answers 404 on every route; same Mem0 ids stay separate")
  void foreignIdsAre404() {
    String memory = mem.addVerbatim(alice, "shared-name", null, "Alice's secret plan").get(0);
    String session = api.post("/sessions", alice, new JsonObject().put("user_id", "shared-name")).json()
        .getString("session_id");

    assertEquals(404, api.get("/memories/" + memory, bob).status());
    assertEquals(404, api.put("/memories/" + memory, bob, new JsonObject().put("text", "hacked")).status());
    assertEquals(404, api.delete("/memories/" + memory, bob).status());
    assertEquals(404, api.get("/memories/" + memory + "/history", bob).status());
    assertEquals(404, api.get("/sessions/" + session, bob).status());
    assertEquals(404, api.delete("/sessions/" + session, bob).status());
    assertEquals(404, api.post("/chat", bob, new JsonObject().put("message", "hi").put("session_id", session)
        .put("user_id", "shared-name")).status());

    assertTrue(mem.list(bob, "user_id=shared-name").isEmpty(), "the same Mem0 user_id is another scope for bob");
    assertEquals(0, mem.search(bob, new JsonObject().put("query", "secret plan").put("user_id", "shared-name"))
        .getInteger("count"));
    api.delete("/memories?user_id=shared-name", bob);
    api.post("/reset", bob, new JsonObject());
    assertEquals("Alice's secret plan", api.get("/memories/" + memory, alice).json().getString("memory"),
        "bob's delete-all and reset left alice's memory alone");
    assertEquals(200, api.get("/sessions/" + session, alice).status());
  }

  @Test
  @DisplayName("a user's reset clears only their memories; /configure is for the admin and reports what applied")
  void resetAndConfigure() {
    String mine = mem.addVerbatim(bob, "bob-self", null, "Bob likes jazz").get(0);
    String hers = mem.addVerbatim(alice, "alice-self", null, "Alice likes opera").get(0);
    Api.Response reset = api.post("/reset", bob, new JsonObject());
    assertEquals(200, reset.status(), reset.body());
    assertEquals("All memories reset", reset.json().getString("message"));
    assertEquals(404, api.get("/memories/" + mine, bob).status());
    assertEquals(200, api.get("/memories/" + hers, alice).status());

    JsonObject config = new JsonObject()
        .put("llm", new JsonObject().put("provider", "openai").put("config", new JsonObject()
            .put("model", "gpt-4o-mini").put("temperature", 0.2)))
        .put("vector_store", new JsonObject().put("provider", "pgvector"))
        .put("custom_fact_extraction_prompt", "Extract facts about cooking as JSON {\"facts\": [...]}.");
    assertEquals(403, api.post("/configure", bob, config).status());
    assertEquals(403, api.post("/configure", TestServer.STATIC_KEY, config).status());
    Api.Response configured = api.post("/configure", TestServer.ADMIN, config);
    assertEquals(200, configured.status(), configured.body());
    assertEquals("Configuration set successfully", configured.json().getString("message"));
    assertEquals(List.of("llm.config.model", "llm.config.temperature", "custom_fact_extraction_prompt"),
        configured.json().getJsonArray("applied").getList().stream().sorted((a, b) -> order(a) - order(b)).toList());
    assertTrue(configured.json().getJsonArray("ignored").contains("vector_store"));

    var llm = TestServer.llm();
    llm.reset();
    llm.enqueue(Step.text("{\"facts\": []}"));
    mem.add(bob, new JsonObject().put("user_id", "bob-self").put("messages", MemoryApi.turns("user", "I bake bread.")));
    JsonObject sent = llm.requests().get(0);
    assertEquals(0.2, sent.getDouble("temperature"), 1e-9);
    assertTrue(sent.getJsonArray("messages").getJsonObject(0).getString("content").startsWith("Extract facts about"
        + " cooking"), "the custom extraction prompt is used");
    Api.Response restore = api.post("/configure", TestServer.ADMIN, new JsonObject()
        .put("custom_fact_extraction_prompt", null).put("llm", new JsonObject().put("config", new JsonObject()
            .put("model", "gpt-4").put("temperature", 0.1))));
    assertEquals(200, restore.status(), restore.body());
    assertEquals(400, api.post("/configure", TestServer.ADMIN, new JsonObject().put("llm", new JsonObject()
        .put("config", new JsonObject().put("temperature", "hot")))).status());
  }

  private static int order(Object key) {
    return List.of("llm.config.model", "llm.config.temperature", "custom_fact_extraction_prompt").indexOf(key);
  }
}
