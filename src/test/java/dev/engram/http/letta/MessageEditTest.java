package dev.engram.http.letta;

import static dev.engram.http.letta.Details.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The MemGPT 0.4 client's update_message: {@code PATCH /v1/agents/{agent_id}/messages/{message_id}}. */
class MessageEditTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;
  private String agent;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
    agent = "agent-" + api.newAgent(key, "editable");
  }

  private void send(String text) {
    Api.Response r = api.post("/v1/agents/" + agent + "/messages", key, new JsonObject().put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", text))));
    assertEquals(200, r.status(), r.body());
  }

  /** The stored messages, oldest first, as the 0.4 client reads them. */
  private JsonArray stored(String agentId, String apiKey) {
    Api.Response r = api.get("/v1/agents/" + agentId + "/messages?msg_object=true&order=asc&limit=1000", apiKey);
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body());
  }

  /** The last stored message of {@code role} whose text contains {@code part}. */
  private JsonObject find(String role, String part) {
    JsonArray all = stored(agent, key);
    for (int i = all.size() - 1; i >= 0; i--) {
      JsonObject m = all.getJsonObject(i);
      if (role.equals(m.getString("role")) && m.getString("text") != null && m.getString("text").contains(part)) {
        return m;
      }
    }
    throw new AssertionError("no " + role + " message with '" + part + "' in " + all.encodePrettily());
  }

  /** The 0.4 client's body: the whole UpdateMessage, unchanged fields null. */
  private static JsonObject update(String messageId, String role, String text) {
    return new JsonObject().put("id", messageId).put("role", role).put("text", text).putNull("name")
        .putNull("tool_calls").putNull("tool_call_id");
  }

  private Api.Response patch(String messageId, Object body) {
    return api.patch("/v1/agents/" + agent + "/messages/" + messageId, key, body);
  }

  /** What conversation_search gives the model for {@code query} (run as a tool call in a send). */
  private String recallSearch(String query) {
    llm.enqueue(Step.toolCall(null, "conversation_search", new JsonObject().put("query", query)
        .put("request_heartbeat", true)), Step.sendMessage(null, "searched"));
    Api.Response r = api.post("/v1/agents/" + agent + "/messages", key, new JsonObject().put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "search please"))));
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("messages").stream().map(m -> (JsonObject) m)
        .filter(m -> "tool_return_message".equals(m.getString("message_type"))).findFirst().orElseThrow()
        .getString("tool_return");
  }

  @Test
  @DisplayName("an edited user message has its new text in the next model request, in recall search (and its old"
      + " text is not found) and in /v1 history; the answer is the 0.4 client's Message")
  void editTheUserMessage() {
    send("My favourite animal is the aardvark.");
    JsonObject said = find("user", "aardvark");
    String id = said.getString("id");
    Api.Response r = patch(id, update(id, "user", "My favourite animal is the zebra."));
    assertEquals(200, r.status(), r.body());
    JsonObject edited = r.json();
    assertEquals(id, edited.getString("id"));
    assertEquals("user", edited.getString("role"));
    assertEquals("My favourite animal is the zebra.", edited.getString("text"));
    assertEquals(agent, edited.getString("agent_id"));
    assertEquals(said.getString("created_at"), edited.getString("created_at"));

    llm.clearRequests();
    send("What is my favourite animal?");
    String prompt = llm.requests().get(0).getJsonArray("messages").encode();
    assertTrue(prompt.contains("My favourite animal is the zebra."), "the cached context has the new text");
    assertFalse(prompt.contains("aardvark"), prompt);

    assertTrue(recallSearch("zebra").contains("My favourite animal is the zebra."));
    assertTrue(recallSearch("aardvark").startsWith("No results found"), "the old words are gone from recall");
    JsonArray history = new JsonArray(api.get("/v1/agents/" + agent + "/messages?order=asc&limit=1000", key).body());
    assertTrue(history.stream().map(m -> (JsonObject) m).anyMatch(m -> "user_message".equals(
        m.getString("message_type")) && "My favourite animal is the zebra.".equals(m.getString("content"))));
  }

  @Test
  @DisplayName("the agent's own messages can be edited too (its monologue), and a message no longer in context")
  void editTheAgentsMessages() {
    llm.enqueue(Step.sendMessage("I should greet them warmly.", "Hello there!"));
    send("hi");
    String thought = find("assistant", "greet them warmly").getString("id");
    Api.Response r = patch(thought, new JsonObject().put("text", "I should greet them briefly."));
    assertEquals(200, r.status(), r.body());
    llm.clearRequests();
    send("again");
    String prompt = llm.requests().get(0).getJsonArray("messages").encode();
    assertTrue(prompt.contains("I should greet them briefly."), prompt);
    assertFalse(prompt.contains("greet them warmly"), prompt);
    assertTrue(prompt.contains("Hello there!"), "its call is unchanged");

    // after a reset the message is only in recall: it is edited there
    assertEquals(200, api.patch("/v1/agents/" + agent + "/reset-messages", key, new JsonObject()).status());
    Api.Response old = patch(thought, new JsonObject().put("text", "An old thought, rewritten."));
    assertEquals(200, old.status(), old.body());
    assertEquals("An old thought, rewritten.", find("assistant", "rewritten").getString("text"));
  }

  @Test
  @DisplayName("a body that changes nothing answers the message as it is; name changes, as OpenAI's names go")
  void unchangedAndNames() {
    send("Call me by my name.");
    JsonObject said = find("user", "Call me");
    Api.Response same = patch(said.getString("id"), update(said.getString("id"), "user", said.getString("text")));
    assertEquals(200, same.status(), same.body());
    assertEquals(said, same.json());
    Api.Response named = patch(said.getString("id"), new JsonObject().put("name", "ada_l-1"));
    assertEquals(200, named.status(), named.body());
    assertEquals("ada_l-1", named.json().getString("name"));
    assertEquals(said.getString("text"), named.json().getString("text"));
  }

  @Test
  @DisplayName("bad input is 4xx with a detail and changes nothing: a body that is not JSON, wrong types, another"
      + " id, a role or calls changed, a bad name, a text too long for the context, unknown ids")
  void badInput() {
    llm.enqueue(Step.toolCall("Noting it.", "core_memory_append", new JsonObject().put("name", "human")
        .put("content", "Likes tea.").put("request_heartbeat", true)), Step.sendMessage(null, "Noted."));
    send("I like tea.");
    JsonObject user = find("user", "I like tea.");
    String id = user.getString("id");
    JsonObject call = find("assistant", "Noting it.");
    JsonObject result = stored(agent, key).stream().map(m -> (JsonObject) m)
        .filter(m -> "tool".equals(m.getString("role")) && "core_memory_append".equals(m.getString("name")))
        .findFirst().orElseThrow();
    JsonArray before = stored(agent, key);

    assertError(patch(id, "{\"text\": "), 400, "Malformed JSON");
    assertError(patch(id, "[]"), 400, "JSON object");
    assertError(patch(id, new JsonObject().put("text", 5)), 422, "text");
    assertError(patch(id, new JsonObject().put("name", List.of("x"))), 422, "name");
    assertError(patch(id, new JsonObject().put("tool_calls", "x")), 422, "tool_calls");
    assertError(patch(id, new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject()))), 422,
        "tool_calls[0].function");
    assertError(patch(id, update(call.getString("id"), "user", "x")), 422, "id");
    assertError(patch(id, update(id, "wizard", "x")), 422, "role");
    assertError(patch(id, update(id, "assistant", "x")), 422, "role cannot be changed");
    assertError(patch(id, new JsonObject().put("name", "not a name!")), 422, "name");
    assertError(patch(id, new JsonObject().put("tool_call_id", "call_x")), 422, "tool_call_id cannot be changed");
    JsonArray otherCall = call.getJsonArray("tool_calls").copy();
    otherCall.getJsonObject(0).getJsonObject("function").put("arguments", "{}");
    assertError(patch(call.getString("id"), new JsonObject().put("tool_calls", otherCall)), 422,
        "tool_calls cannot be changed");
    assertError(patch(result.getString("id"), new JsonObject().put("tool_call_id", "call_other")), 422,
        "tool_call_id cannot be changed");
    assertError(patch(id, new JsonObject().put("text", "tea ".repeat(40_000))), 422, "tokens");
    assertError(patch("message-" + UUID.randomUUID(), new JsonObject().put("text", "x")), 404, "not found");
    assertError(patch("not-a-message", new JsonObject().put("text", "x")), 404, "not found");
    assertError(api.patch("/v1/agents/agent-" + UUID.randomUUID() + "/messages/" + id, key,
        new JsonObject().put("text", "x")), 404, "not found");
    // the calls sent back as they are pass (the 0.4 client sends the whole message)
    Api.Response asIs = patch(call.getString("id"), new JsonObject().put("tool_calls", call.getJsonArray("tool_calls"))
        .put("role", "assistant").put("id", call.getString("id")));
    assertEquals(200, asIs.status(), asIs.body());
    assertEquals(before, stored(agent, key), "nothing changed");
  }

  @Test
  @DisplayName("another user's agent or message is 404, and stays as it was; so is a message of another agent")
  void isolation() {
    send("A private thought.");
    String id = find("user", "A private thought.").getString("id");
    String other = api.newUser().getString("api_key");
    String otherAgent = "agent-" + api.newAgent(other, "other");
    assertError(api.patch("/v1/agents/" + agent + "/messages/" + id, other, new JsonObject().put("text", "mine")),
        404, "not found");
    assertError(api.patch("/v1/agents/" + otherAgent + "/messages/" + id, other, new JsonObject().put("text",
        "mine")), 404, "not found");
    String sibling = "agent-" + api.newAgent(key, "sibling");
    assertError(api.patch("/v1/agents/" + sibling + "/messages/" + id, key, new JsonObject().put("text", "moved")),
        404, "not found");
    assertEquals("A private thought.", new JsonObject(find("user", "private").getString("text")).getString("message"));
  }
}
