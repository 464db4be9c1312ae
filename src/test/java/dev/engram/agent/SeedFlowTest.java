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

/** The seed's curl walkthrough, end to end: create a user, create the seed's agent, send the seed's message. */
class SeedFlowTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();

  @BeforeEach
  void reset() {
    llm.reset();
  }

  @Test
  @DisplayName("the seed's streaming send yields monologue, function call, assistant message and return, then [DONE]")
  void seedStreamingFlow() {
    String key = api.newUser().getString("api_key");
    assertTrue(key.startsWith("sk-"));
    String agentId = api.newAgent(key, "MyCustomAgent");
    String reply = "Ah, the age-old question. 42 is an answer, but maybe not the one we're after.";
    llm.enqueue(Step.sendMessage("A fascinating question about 42.", reply));

    List<String> data = api.stream("/api/agents/" + agentId + "/messages", key, new JsonObject()
        .put("agent_id", agentId).put("message", "what's the meaning of life? someone told me it's 42...")
        .put("stream", true).put("role", "user"));

    assertEquals(5, data.size(), data.toString());
    JsonObject monologue = new JsonObject(data.get(0));
    JsonObject call = new JsonObject(data.get(1));
    JsonObject assistant = new JsonObject(data.get(2));
    JsonObject ret = new JsonObject(data.get(3));
    assertEquals("A fascinating question about 42.", monologue.getString("internal_monologue"));
    assertEquals("send_message({'message': \"" + reply + "\"})", call.getString("function_call"));
    assertEquals(reply, assistant.getString("assistant_message"));
    assertEquals("None", ret.getString("function_return"));
    assertEquals("success", ret.getString("status"));
    assertEquals("[DONE]", data.get(4));
    for (JsonObject e : List.of(monologue, call, assistant, ret)) {
      assertNotNull(e.getString("id"));
      assertTrue(e.getString("date").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00"),
          e.getString("date"));
    }

    // the model saw the user's message inside the MemGPT envelope, after the system prompt with core memory
    JsonObject sent = llm.requests().get(0);
    var messages = sent.getJsonArray("messages");
    assertEquals("system", messages.getJsonObject(0).getString("role"));
    assertTrue(messages.getJsonObject(0).getString("content").contains("<persona characters="));
    JsonObject last = messages.getJsonObject(messages.size() - 1);
    assertEquals("user", last.getString("role"));
    assertEquals("what's the meaning of life? someone told me it's 42...",
        new JsonObject(last.getString("content")).getString("message"));
    assertEquals(8, sent.getJsonArray("tools").size());

    // and every message is in recall, newest first
    var recall = api.messages(agentId, key, 3);
    assertEquals("tool", recall.getJsonObject(0).getString("role"));
    assertEquals("assistant", recall.getJsonObject(1).getString("role"));
    assertEquals("user", recall.getJsonObject(2).getString("role"));
  }
}
