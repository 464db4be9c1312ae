package dev.engram.http.letta;

import static dev.engram.http.letta.Letta.block;
import static dev.engram.http.letta.Letta.createAgent;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.SseStream;
import dev.engram.testkit.SseStream.Event;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Agents without send_message, such as Letta's {@code letta_v1_agent} (letta-v1.md §3.1, §6.5): the model's text is
 * what the agent says, a tool call runs and the loop goes on, and the turn ends when the model calls no tool.
 */
class TextAgentTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  /** A letta_v1_agent made through /v1 with its base tools (include_base_tools is true by default). */
  private String textAgent(String name) {
    return createAgent(api, key, new JsonObject().put("name", name).put("agent_type", "letta_v1_agent")
        .put("include_base_tools", true).put("memory_blocks", new JsonArray().add(block("persona", "I am " + name + "."))
            .add(block("human", "Nothing known yet.")))).getString("id");
  }

  private static JsonObject userMessage(String text) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", text)));
  }

  private JsonObject send(String agent, JsonObject body) {
    Api.Response r = api.post("/v1/agents/" + agent + "/messages", key, body);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private static List<String> types(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getString("message_type")).toList();
  }

  /** The agent's /v1 history with {@code query} ({@code order=asc&limit=1000} when empty). */
  private JsonArray history(String agent, String query) {
    Api.Response r = api.get("/v1/agents/" + agent + "/messages?" + (query.isEmpty() ? "order=asc&limit=1000"
        : query), key);
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body());
  }

  @Test
  @DisplayName("a letta_v1_agent has Letta's base tools without send_message, starts with its system message alone,"
      + " and is told that its text is what the user reads")
  void createdThroughV1() {
    String agent = textAgent("Plain");
    JsonObject state = api.get("/v1/agents/" + agent, key).json();
    assertEquals(List.of("conversation_search", "archival_memory_insert", "archival_memory_search", "memory_insert",
        "memory_replace"), state.getJsonArray("tools").stream().map(t -> ((JsonObject) t).getString("name")).toList());
    assertEquals(1, state.getJsonArray("message_ids").size(), "no boot sequence calling a tool it does not have");
    assertTrue(state.getString("system").contains("The text of your reply is what the user reads"),
        state.getString("system"));
    assertFalse(state.getString("system").contains("send_message"), state.getString("system"));
  }

  @Test
  @DisplayName("a reply without a tool call is the agent's assistant_message and ends the turn after one model call;"
      + " /v1 and /api history show it as the assistant's message")
  void textReplyEndsTheTurn() {
    String agent = textAgent("Plain");
    llm.enqueue(Step.text("Hello Ada, good to meet you."));
    JsonObject body = send(agent, userMessage("Hi, I'm Ada"));
    JsonArray messages = body.getJsonArray("messages");
    assertEquals(List.of("assistant_message"), types(messages));
    assertEquals("Hello Ada, good to meet you.", messages.getJsonObject(0).getString("content"));
    assertEquals("end_turn", body.getJsonObject("stop_reason").getString("stop_reason"));
    assertEquals(1, body.getJsonObject("usage").getInteger("step_count"));
    assertEquals(1, llm.requestCount(), "the turn ended with the model's text");
    assertFalse(Letta.toolNames(llm.requests().get(0)).contains("send_message"));

    JsonArray v1 = history(agent, "");
    assertEquals(List.of("system_message", "user_message", "assistant_message"), types(v1));
    JsonObject said = v1.getJsonObject(2);
    assertEquals("Hello Ada, good to meet you.", said.getString("content"));
    assertEquals(messages.getJsonObject(0).getString("id"), said.getString("id"));
    assertEquals(messages.getJsonObject(0).getString("otid"), said.getString("otid"), "history and stream agree");
    // there is no send_message call to show instead: the text stays the assistant's message
    assertEquals(types(v1), types(history(agent, "order=asc&use_assistant_message=false")));

    JsonArray stored = api.messages(Letta.bare(agent), key, 10);
    JsonObject assistant = stored.getJsonObject(0);
    assertEquals("assistant", assistant.getString("role"), stored.encodePrettily());
    assertEquals("Hello Ada, good to meet you.", assistant.getString("text"));
    assertNull(assistant.getValue("tool_calls"));
  }

  @Test
  @DisplayName("a reply with a tool call runs it and goes on without a heartbeat message; the model's text beside"
      + " a call is said too; the turn ends at the first reply without a call")
  void toolCallsChainUntilAPlainReply() {
    String agent = textAgent("Scribe");
    llm.enqueue(
        Step.toolCall("Let me write that down.", "memory_insert", new JsonObject().put("label", "human")
            .put("new_string", "Name: Ada").put("insert_line", 0)),
        Step.toolCall(null, "archival_memory_insert", new JsonObject().put("content", "Ada likes tea.")),
        Step.text("Noted, Ada."));
    JsonObject body = send(agent, userMessage("I'm Ada and I like tea"));
    JsonArray messages = body.getJsonArray("messages");
    assertEquals(List.of("assistant_message", "tool_call_message", "tool_return_message", "tool_call_message",
        "tool_return_message", "assistant_message"), types(messages));
    assertEquals("Let me write that down.", messages.getJsonObject(0).getString("content"));
    assertEquals("memory_insert", messages.getJsonObject(1).getJsonObject("tool_call").getString("name"));
    assertEquals("success", messages.getJsonObject(2).getString("status"));
    assertEquals("Noted, Ada.", messages.getJsonObject(5).getString("content"));
    // the text and the call of one reply are parts of one stored message
    assertEquals(messages.getJsonObject(0).getString("id"), messages.getJsonObject(1).getString("id"));
    assertNotEquals(messages.getJsonObject(0).getString("otid"), messages.getJsonObject(1).getString("otid"));
    assertEquals(3, body.getJsonObject("usage").getInteger("step_count"));
    assertEquals("end_turn", body.getJsonObject("stop_reason").getString("stop_reason"));

    List<JsonObject> requests = llm.requests();
    assertEquals(3, requests.size());
    JsonArray second = requests.get(1).getJsonArray("messages");
    assertEquals("tool", second.getJsonObject(second.size() - 1).getString("role"),
        "the tool's result is the model's next input, without a heartbeat message after it");
    assertTrue(api.get("/v1/agents/" + agent + "/core-memory/blocks/human", key).json().getString("value")
        .startsWith("Name: Ada"));
    // the memory edit rebuilt the system message, stored after the tool's return
    assertEquals(List.of("system_message", "user_message", "assistant_message", "tool_call_message",
        "tool_return_message", "system_message", "tool_call_message", "tool_return_message", "assistant_message"),
        types(history(agent, "")));
  }

  @Test
  @DisplayName("a failed tool call goes on too, and a model that never stops calling tools ends at the step budget")
  void failuresAndTheStepBudget() {
    String agent = textAgent("Busy");
    llm.enqueue(Step.toolCall(null, "web_search", new JsonObject().put("query", "tea")),
        Step.text("Sorry, answering plainly."));
    JsonArray first = send(agent, userMessage("hello")).getJsonArray("messages");
    assertEquals(List.of("tool_call_message", "tool_return_message", "assistant_message"), types(first));
    assertEquals("error", first.getJsonObject(1).getString("status"));

    llm.reset();
    llm.fallback(request -> Step.toolCall(null, "conversation_search", new JsonObject().put("query", "tea")));
    JsonObject body = send(agent, userMessage("search forever").put("max_steps", 3));
    assertEquals("max_steps", body.getJsonObject("stop_reason").getString("stop_reason"));
    assertEquals(3, body.getJsonObject("usage").getInteger("step_count"));
    assertEquals(3, llm.requestCount());
  }

  @Test
  @DisplayName("streamed with stream_tokens, the text arrives as assistant_message fragments of one id and otid,"
      + " then once whole is not repeated; /api's stream shows it as assistant_message")
  void streamedText() {
    String agent = textAgent("Streamer");
    String reply = "Once upon a time, a token at a time.";
    llm.enqueue(Step.text(reply).chunksEvery(5));
    SseStream.Result r = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key,
        userMessage("tell me a story").put("streaming", true).put("stream_tokens", true), Map.of());
    assertTrue(r.endedByServer());
    StringBuilder text = new StringBuilder();
    java.util.Set<String> otids = new java.util.HashSet<>();
    int fragments = 0;
    for (Event e : r.withData()) {
      if (!e.data().startsWith("{")) {
        continue;
      }
      JsonObject m = e.json();
      assertNotEquals("reasoning_message", m.getString("message_type"), "the text is not a monologue");
      if ("assistant_message".equals(m.getString("message_type"))) {
        text.append(m.getString("content"));
        otids.add(m.getString("otid"));
        fragments++;
      }
    }
    assertEquals(reply, text.toString());
    assertTrue(fragments > 1, "fragments, not one whole message: " + fragments);
    assertEquals(1, otids.size());

    llm.enqueue(Step.text("Plain over /api."));
    Api.Response seed = api.post("/api/agents/" + Letta.bare(agent) + "/messages", key,
        new JsonObject().put("message", "and on /api?").put("role", "user"));
    assertEquals(200, seed.status(), seed.body());
    JsonArray events = seed.json().getJsonArray("messages");
    assertEquals(1, events.size(), events.encode());
    assertEquals("Plain over /api.", events.getJsonObject(0).getString("assistant_message"));
  }

  @Test
  @DisplayName("an imported letta_v1_agent speaks in plain text too, and its history shows its replies as such")
  void importedAgent() {
    Api.Response imported = api.upload("/v1/agents/import", key, "file", "loop.af", AgentFileTest.resource("loop.af"));
    assertEquals(200, imported.status(), imported.body());
    String agent = imported.json().getJsonArray("agent_ids").getString(0);
    llm.enqueue(Step.toolCall(null, "conversation_search", new JsonObject().put("query", "Ada")),
        Step.text("Welcome back."));
    JsonArray messages = send(agent, userMessage("Remember me?")).getJsonArray("messages");
    assertEquals(List.of("tool_call_message", "tool_return_message", "assistant_message"), types(messages));
    assertEquals("Welcome back.", messages.getJsonObject(2).getString("content"));
    JsonArray v1 = history(agent, "order=desc&limit=1");
    assertEquals("assistant_message", v1.getJsonObject(0).getString("message_type"));
    assertEquals("Welcome back.", v1.getJsonObject(0).getString("content"));
  }

  @Test
  @DisplayName("a MemGPT agent is as before: text without a call is its monologue, and it speaks through send_message")
  void memgptAgentUnchanged() {
    String agent = createAgent(api, key, new JsonObject().put("name", "Classic").put("agent_type", "memgpt_agent")
        .put("memory_blocks", new JsonArray().add(block("persona", "I am Classic.")))).getString("id");
    llm.enqueue(Step.text("Just thinking."));
    JsonArray messages = send(agent, userMessage("hi")).getJsonArray("messages");
    assertEquals(List.of("reasoning_message"), types(messages));
    assertEquals("Just thinking.", messages.getJsonObject(0).getString("reasoning"));
    JsonArray v1 = history(agent, "order=desc&limit=1");
    assertEquals("reasoning_message", v1.getJsonObject(0).getString("message_type"));
    llm.enqueue(Step.sendMessage("Greeting.", "Hello!"));
    assertEquals(List.of("reasoning_message", "assistant_message"),
        types(send(agent, userMessage("hello?")).getJsonArray("messages")));
    List<String> shown = types(history(agent, "order=asc&use_assistant_message=false"));
    assertEquals(List.of("reasoning_message", "tool_call_message", "tool_return_message"),
        shown.subList(shown.size() - 3, shown.size()), "send_message's own call and return, on request");
  }
}
