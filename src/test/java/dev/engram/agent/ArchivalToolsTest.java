package dev.engram.agent;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The archival tools and ranked recall search, driven by the scripted model through the real step loop. */
class ArchivalToolsTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();

  @BeforeEach
  void reset() {
    llm.reset();
  }

  @Test
  @DisplayName("archival_memory_insert stores a passage that archival_memory_search then finds by meaning")
  void insertThenSearch() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "keeper");
    llm.enqueue(
        Step.toolCall("Worth keeping.", "archival_memory_insert", new JsonObject()
            .put("content", "The user's sister Maya moved to Porto last spring.").put("request_heartbeat", true)),
        Step.toolCall("Let me check.", "archival_memory_search", new JsonObject()
            .put("query", "In which city does the sister live?").put("request_heartbeat", true)),
        Step.toolCall("Page two.", "archival_memory_search", new JsonObject()
            .put("query", "sister city").put("page", 1).put("request_heartbeat", true)),
        Step.sendMessage("Done.", "Noted: Maya lives in Porto."));

    Api.Response r = StepLoopTest.send(api, agentId, key, "My sister Maya moved to Porto.");

    assertEquals(200, r.status(), r.body());
    List<JsonObject> returns = StepLoopTest.returns(r.json().getJsonArray("messages"));
    assertEquals("success", returns.get(0).getString("status"), returns.toString());
    String found = returns.get(1).getString("function_return");
    assertTrue(found.startsWith("Showing 1 of 1 results (page 0/0): "), found);
    assertTrue(found.contains("memory: The user's sister Maya moved to Porto last spring."), found);
    assertEquals("No results found.", returns.get(2).getString("function_return"));
    assertEquals(1, api.get("/api/agents/" + agentId + "/memory", key).json().getInteger("archival_memory"));

    List<String> offered = llm.requests().get(0).getJsonArray("tools").stream()
        .map(t -> ((JsonObject) t).getJsonObject("function").getString("name")).toList();
    assertTrue(offered.containsAll(List.of("archival_memory_insert", "archival_memory_search")), offered.toString());
  }

  @Test
  @DisplayName("conversation_search ranks by the text index: a plural finds the singular, best match first")
  void recallSearchIsRanked() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "recaller");
    assertEquals(200, StepLoopTest.send(api, agentId, key, "I adopted a cat named Miso").status());
    assertEquals(200, StepLoopTest.send(api, agentId, key, "We also talked about the weather").status());
    llm.enqueue(
        Step.toolCall("Search.", "conversation_search",
            new JsonObject().put("query", "cats adopted").put("request_heartbeat", true)),
        Step.sendMessage("Found.", "Miso the cat!"));

    Api.Response r = StepLoopTest.send(api, agentId, key, "What pets did I mention?");

    assertEquals(200, r.status(), r.body());
    String found = StepLoopTest.returns(r.json().getJsonArray("messages")).get(0).getString("function_return");
    assertTrue(found.startsWith("Showing "), found);
    assertTrue(found.indexOf("I adopted a cat named Miso") > 0, found);
    assertFalse(found.contains("weather"), found);
  }
}
