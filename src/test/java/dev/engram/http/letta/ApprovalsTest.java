package dev.engram.http.letta;

import static dev.engram.http.letta.Letta.block;
import static dev.engram.http.letta.Letta.createAgent;
import static dev.engram.http.letta.LettaAgentsTest.assertProblem;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.SseStream;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Calls that wait for their owner's approval, and client-side tools (letta-v1.md §6.1, §6.4, §8): the run pauses
 * with an approval_request_message and stop reason requires_approval; an approval runs the call once and the loop
 * goes on, a denial never runs it, a client tool's result becomes its return; a message meanwhile is a 409; a second
 * answer is refused and runs nothing; and all of it after a restart too.
 */
class ApprovalsTest {
  private static final String INSERT = "archival_memory_insert";

  private final Api api = TestServer.shared().checkedApi();
  private final ScriptedLlm llm = TestServer.llm();
  private String key;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  private static String agent(Api api, String key) {
    return createAgent(api, key, new JsonObject().put("name", "Careful").put("model", "openai/gpt-4")
        .put("memory_blocks", new JsonArray().add(block("persona", "I ask first.")).add(block("human", "Ada."))))
        .getString("id");
  }

  private static Api.Response requireApproval(Api api, String key, String agent, String tool, Object required) {
    return api.patch("/v1/agents/" + agent + "/tools/approval/" + tool, key,
        new JsonObject().put("requires_approval", required));
  }

  private static JsonObject user(String text) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", text)));
  }

  private static JsonObject approval(String callId, boolean approve, String reason) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("type", "approval")
        .put("approvals", new JsonArray().add(new JsonObject().put("type", "approval").put("tool_call_id", callId)
            .put("approve", approve).put("reason", reason)))));
  }

  private static JsonObject send(Api api, String key, String agent, JsonObject body) {
    Api.Response r = api.post("/v1/agents/" + agent + "/messages", key, body);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private static Step insert(String content) {
    return Step.toolCall("Saving.", INSERT, new JsonObject().put("content", content).put("request_heartbeat", true));
  }

  private static int passages(Api api, String key, String agent) {
    return new JsonArray(api.get("/v1/agents/" + agent + "/archival-memory?limit=100", key).body()).size();
  }

  private static List<String> types(JsonObject response) {
    return response.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("message_type")).toList();
  }

  private static JsonObject ofType(JsonObject response, String type) {
    return response.getJsonArray("messages").stream().map(m -> (JsonObject) m)
        .filter(m -> type.equals(m.getString("message_type"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " in " + response.encode()));
  }

  private static String stop(JsonObject response) {
    return response.getJsonObject("stop_reason").getString("stop_reason");
  }

  /** Sends a message whose model call (of {@code step}) pauses; asserts the pause and answers the call's id. */
  private static String pause(Api api, String key, String agent, Step step) {
    TestServer.llm().enqueue(step);
    JsonObject r = send(api, key, agent, user("Please remember that I like tea"));
    assertEquals("requires_approval", stop(r), r.encode());
    JsonObject request = ofType(r, "approval_request_message");
    assertEquals(step.callId(), request.getJsonObject("tool_call").getString("tool_call_id"));
    assertEquals(step.callId(), request.getJsonArray("tool_calls").getJsonObject(0).getString("tool_call_id"));
    assertFalse(types(r).contains("tool_return_message"), "nothing ran: " + r.encode());
    return step.callId();
  }

  @Test
  @DisplayName("approve: the run pauses (approval_request_message, requires_approval, pending_approval), a message"
      + " meanwhile is a 409, the approval runs the call once and the loop goes on; a second approval is refused"
      + " and runs nothing; the history shows the answer")
  void approve() {
    String agent = agent(api, key);
    Api.Response patched = requireApproval(api, key, agent, INSERT, true);
    assertEquals(200, patched.status(), patched.body());
    assertTrue(patched.json().getJsonArray("tool_rules").contains(new JsonObject().put("tool_name", INSERT)
        .put("type", "requires_approval").putNull("prompt_template")), patched.body());

    String callId = pause(api, key, agent, insert("Ada likes tea."));
    assertEquals(0, passages(api, key, agent));
    JsonObject pending = api.get("/v1/agents/" + agent, key).json().getJsonObject("pending_approval");
    assertNotNull(pending);
    assertEquals("approval_request_message", pending.getString("message_type"));
    assertEquals(callId, pending.getJsonObject("tool_call").getString("tool_call_id"));

    int calls = llm.requestCount();
    assertProblem(api.post("/v1/agents/" + agent + "/messages", key, user("Hello?")), 409, "PENDING_APPROVAL");
    assertEquals(calls, llm.requestCount(), "the refused message reached no model");

    llm.enqueue(Step.sendMessage("Saved.", "I will remember that."));
    JsonObject r = send(api, key, agent, approval(callId, true, null));
    JsonObject ret = ofType(r, "tool_return_message");
    assertEquals(callId, ret.getString("tool_call_id"));
    assertEquals("success", ret.getString("status"));
    assertEquals("I will remember that.", ofType(r, "assistant_message").getString("content"));
    assertEquals("end_turn", stop(r));
    assertEquals(1, passages(api, key, agent), "ran once");
    assertNull(api.get("/v1/agents/" + agent, key).json().getValue("pending_approval"));

    int after = llm.requestCount();
    assertProblem(api.post("/v1/agents/" + agent + "/messages", key, approval(callId, true, null)), 409,
        "already answered");
    assertEquals(1, passages(api, key, agent), "never a second run");
    assertEquals(after, llm.requestCount());

    JsonArray history = new JsonArray(api.get("/v1/agents/" + agent + "/messages?order=asc&limit=100", key).body());
    JsonObject answer = history.stream().map(m -> (JsonObject) m)
        .filter(m -> "approval_response_message".equals(m.getString("message_type"))).findFirst().orElseThrow();
    assertEquals(true, answer.getBoolean("approve"));
    assertEquals(callId, answer.getJsonArray("approvals").getJsonObject(0).getString("tool_call_id"));

    // an answer when nothing waits
    assertProblem(api.post("/v1/agents/" + agent + "/messages", key, approval("call_nothing", true, null)), 400,
        "awaiting approval");
  }

  @Test
  @DisplayName("deny (in the deprecated form): the call never runs, the model gets the denial and its reason as a"
      + " failed return, and the loop goes on")
  void deny() {
    String agent = agent(api, key);
    assertEquals(200, requireApproval(api, key, agent, INSERT, true).status());
    String callId = pause(api, key, agent, insert("secret"));
    String requestId = api.get("/v1/agents/" + agent, key).json().getJsonObject("pending_approval").getString("id");
    llm.enqueue(Step.sendMessage("Fine.", "I won't save it."));
    JsonObject r = send(api, key, agent, new JsonObject().put("messages", new JsonArray().add(new JsonObject()
        .put("type", "approval").put("approve", false).put("approval_request_id", requestId)
        .put("reason", "not that one"))));
    JsonObject ret = ofType(r, "tool_return_message");
    assertEquals("error", ret.getString("status"));
    assertTrue(ret.getString("tool_return").contains("not that one"), ret.encode());
    assertEquals(callId, ret.getString("tool_call_id"));
    assertEquals(0, passages(api, key, agent), "a denied call never runs");
    JsonArray sent = llm.requests().get(llm.requestCount() - 1).getJsonArray("messages");
    assertTrue(sent.encode().contains("not that one"), "the model saw the reason");
    assertEquals("end_turn", stop(r));
  }

  @Test
  @DisplayName("a call that breaks a rule is refused before any approval is asked; an approved call is checked"
      + " against the rules again and refused if it breaks one now (it does not run)")
  void rulesBeforeAndAfterApproval() {
    String agent = agent(api, key);
    Api.Response set = api.patch("/v1/agents/" + agent, key, new JsonObject().put("tool_rules", new JsonArray(
        "[{\"type\":\"requires_approval\",\"tool_name\":\"archival_memory_insert\"},"
            + "{\"type\":\"max_count_per_step\",\"tool_name\":\"archival_memory_insert\",\"max_count_limit\":1}]")));
    assertEquals(200, set.status(), set.body());
    String first = pause(api, key, agent, insert("one"));
    Step again = insert("two");
    llm.enqueue(again, Step.sendMessage("Ok.", "Done."));
    JsonObject r = send(api, key, agent, approval(first, true, null));
    assertFalse(types(r).contains("approval_request_message"), "the second call broke the rule: no approval asked");
    assertNotEquals("requires_approval", stop(r));
    assertTrue(r.encode().contains("max_count_per_step"), r.encode());
    assertEquals(1, passages(api, key, agent));

    // paused, then the rules change so that the call breaks one: the approval does not run it
    String third = pause(api, key, agent, insert("three"));
    assertEquals(200, api.patch("/v1/agents/" + agent, key, new JsonObject().put("tool_rules", new JsonArray(
        "[{\"type\":\"requires_approval\",\"tool_name\":\"archival_memory_insert\"},"
            + "{\"type\":\"parent_last_tool\",\"tool_name\":\"archival_memory_search\","
            + "\"children\":[\"archival_memory_insert\"]}]"))).status());
    llm.enqueue(Step.sendMessage("Ok.", "Not saved."));
    JsonObject refused = send(api, key, agent, approval(third, true, null));
    JsonObject ret = ofType(refused, "tool_return_message");
    assertEquals("error", ret.getString("status"));
    assertTrue(ret.getString("tool_return").contains("parent_last_tool"), ret.encode());
    assertEquals(1, passages(api, key, agent), "approved but breaking a rule: not run");
  }

  @Test
  @DisplayName("approval after a restart: the paused call is in the stored messages; the approval runs it once")
  void approveAfterRestart() {
    Path home = TempHomes.create("engram-approval-");
    String owner;
    String agent;
    String callId;
    try (TestServer first = TestServer.start(home, Map.of())) {
      owner = first.api.newUser().getString("api_key");
      agent = agent(first.api, owner);
      assertEquals(200, requireApproval(first.api, owner, agent, INSERT, true).status());
      callId = pause(first.api, owner, agent, insert("Across restarts."));
    }
    try (TestServer second = TestServer.start(home, Map.of())) {
      assertEquals(callId, second.api.get("/v1/agents/" + agent, owner).json().getJsonObject("pending_approval")
          .getJsonObject("tool_call").getString("tool_call_id"));
      assertProblem(second.api.post("/v1/agents/" + agent + "/messages", owner, user("hi")), 409,
          "PENDING_APPROVAL");
      llm.enqueue(Step.sendMessage("Saved.", "Remembered."));
      JsonObject r = send(second.api, owner, agent, approval(callId, true, null));
      assertEquals("success", ofType(r, "tool_return_message").getString("status"));
      assertEquals(1, passages(second.api, owner, agent));
      assertProblem(second.api.post("/v1/agents/" + agent + "/messages", owner, approval(callId, true, null)),
          409, "already answered");
      assertEquals(1, passages(second.api, owner, agent));
    }
  }

  @Test
  @DisplayName("a client-side tool is offered for its send; a call to it pauses the run; the client's result"
      + " (tool_return, or a tool return among approvals) becomes the call's return and the loop goes on")
  void clientTool() {
    String agent = agent(api, key);
    JsonObject weather = new JsonObject().put("name", "get_weather").put("description", "The weather in a city.")
        .put("parameters", new JsonObject().put("type", "object").put("properties", new JsonObject()
            .put("city", new JsonObject().put("type", "string"))).put("required", new JsonArray().add("city")));
    Step call = Step.toolCall("Let me check.", "get_weather", new JsonObject().put("city", "Paris"));
    llm.enqueue(call);
    JsonObject r = send(api, key, agent, user("Weather in Paris?").put("client_tools", new JsonArray().add(weather)));
    assertTrue(Letta.toolNames(llm.requests().get(0)).contains("get_weather"));
    assertEquals("requires_approval", stop(r));
    assertEquals("get_weather", ofType(r, "approval_request_message").getJsonObject("tool_call").getString("name"));

    assertProblem(api.post("/v1/agents/" + agent + "/messages", key, approval(call.callId(), true, null)), 422,
        "client-side tool");

    llm.enqueue(Step.sendMessage("Sunny.", "It is sunny in Paris."));
    JsonObject done = send(api, key, agent, new JsonObject().put("messages", new JsonArray().add(new JsonObject()
        .put("type", "tool_return").put("tool_returns", new JsonArray().add(new JsonObject().put("type", "tool")
            .put("tool_call_id", call.callId()).put("status", "success").put("tool_return", "sunny, 24C")
            .put("stdout", new JsonArray().add("looked it up"))))))
        .put("client_tools", new JsonArray().add(weather)));
    JsonObject ret = ofType(done, "tool_return_message");
    assertEquals("sunny, 24C", ret.getString("tool_return"));
    assertEquals("success", ret.getString("status"));
    assertEquals("It is sunny in Paris.", ofType(done, "assistant_message").getString("content"));
    assertTrue(llm.requests().get(1).encode().contains("sunny, 24C"), "the model saw the client's result");

    // the same through an ApprovalCreate carrying a tool return
    Step again = Step.toolCall("Again.", "get_weather", new JsonObject().put("city", "Oslo"));
    llm.enqueue(again);
    send(api, key, agent, user("And Oslo?").put("client_tools", new JsonArray().add(weather)));
    llm.enqueue(Step.sendMessage("Cold.", "Cold in Oslo."));
    JsonObject viaApprovals = send(api, key, agent, new JsonObject().put("messages", new JsonArray().add(
        new JsonObject().put("type", "approval").put("approvals", new JsonArray().add(new JsonObject()
            .put("type", "tool").put("tool_call_id", again.callId()).put("status", "error")
            .put("tool_return", "service down"))))));
    assertEquals("error", ofType(viaApprovals, "tool_return_message").getString("status"));
    assertEquals("end_turn", stop(viaApprovals));
  }

  @Test
  @DisplayName("the seed /api: a send while a call waits is a clear 409; the pause shows in its stream as a"
      + " function_call marked requires_approval")
  void seedApi() {
    String agent = agent(api, key);
    String bare = Letta.bare(agent);
    assertEquals(200, requireApproval(api, key, agent, INSERT, true).status());
    llm.enqueue(insert("from the seed api"));
    List<String> data = api.stream("/api/agents/" + bare + "/messages", key, new JsonObject().put("agent_id", bare)
        .put("message", "remember tea").put("stream", true).put("role", "user"));
    JsonObject call = data.stream().filter(d -> d.startsWith("{")).map(JsonObject::new)
        .filter(j -> j.containsKey("function_call")).findFirst().orElseThrow(() -> new AssertionError(data.toString()));
    assertTrue(call.getString("function_call").startsWith(INSERT + "("), call.encode());
    assertEquals(true, call.getBoolean("requires_approval"));
    assertEquals(0, passages(api, key, agent));
    Api.Response r = api.post("/api/agents/" + bare + "/messages", key, new JsonObject().put("agent_id", bare)
        .put("message", "hello?").put("role", "user"));
    assertProblem(r, 409, "PENDING_APPROVAL");
  }

  @Test
  @DisplayName("bad input: every new field and the approval route answer 4xx {detail} and store nothing; another"
      + " user's agent is a 404")
  void badInputAndIsolation() {
    String agent = agent(api, key);
    String path = "/v1/agents/" + agent + "/messages";
    int stored = new JsonArray(api.get(path + "?limit=100", key).body()).size();
    for (Map.Entry<String, String> bad : Map.of(
        "{\"messages\":[{\"type\":\"approval\"}]}", "approvals",
        "{\"messages\":[{\"type\":\"approval\",\"approvals\":[{\"type\":\"approval\",\"tool_call_id\":\"c\",\"approve\":\"yes\"}]}]}", "approve",
        "{\"messages\":[{\"type\":\"approval\",\"approvals\":[{\"type\":\"approval\",\"approve\":true}]}]}", "tool_call_id",
        "{\"messages\":[{\"type\":\"approval\",\"approvals\":[{\"type\":\"weird\",\"tool_call_id\":\"c\"}]}]}", "type",
        "{\"messages\":[{\"type\":\"tool_return\",\"tool_returns\":[{\"tool_call_id\":\"c\",\"status\":\"ok\",\"tool_return\":\"x\"}]}]}", "status",
        "{\"messages\":[{\"type\":\"tool_return\",\"tool_returns\":[]}]}", "tool_returns",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"type\":\"approval\",\"approve\":true,\"approval_request_id\":\"m\"}]}", "first message",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"client_tools\":[{\"name\":\"bad name!\"}]}", "client_tools[0].name",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"client_tools\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", "twice",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"client_tools\":{\"name\":\"a\"}}", "client_tools").entrySet()) {
      assertProblem(api.post(path, key, new JsonObject(bad.getKey())), 422, bad.getValue());
    }
    assertEquals(0, llm.requestCount(), "nothing ran");
    assertEquals(stored, new JsonArray(api.get(path + "?limit=100", key).body()).size(), "nothing stored");

    assertProblem(requireApproval(api, key, agent, INSERT, "yes"), 422, "requires_approval");
    assertProblem(api.patch("/v1/agents/" + agent + "/tools/approval/" + INSERT, key, null), 400, "body");
    assertProblem(api.patch("/v1/agents/" + agent + "/tools/approval/" + INSERT, key, new JsonObject()), 422,
        "requires_approval");
    assertProblem(requireApproval(api, key, agent, "not_attached", true), 404, "not_attached");
    assertEquals(200, api.patch("/v1/agents/" + agent + "/tools/approval/" + INSERT + "?requires_approval=true", key,
        null).status(), "the SDK's query form");
    assertEquals(1, api.get("/v1/agents/" + agent, key).json().getJsonArray("tool_rules").size());
    assertEquals(200, requireApproval(api, key, agent, INSERT, false).status());
    assertEquals(0, api.get("/v1/agents/" + agent, key).json().getJsonArray("tool_rules").size(), "switched off");

    String other = api.newUser().getString("api_key");
    assertProblem(requireApproval(api, other, agent, INSERT, true), 404, "");
    assertProblem(api.post(path, other, approval("call_x", true, null)), 404, "");
    assertProblem(requireApproval(api, key, "agent-00000000-0000-0000-0000-000000000000", INSERT, true), 404, "");
  }

  @Test
  @DisplayName("the official Letta SDK: updateApproval, a pause, a ConflictError meanwhile, an approval that runs the"
      + " call once, a second one refused, a streamed pause denied, and the answers in the history")
  void officialSdk() {
    String agent = agent(api, key);
    llm.fallback(request -> {
      JsonArray messages = request.getJsonArray("messages");
      String last = messages.getJsonObject(messages.size() - 1).encode();
      return last.contains("user_message") ? insert("From the SDK.") : Step.sendMessage("Finished.", "Done.");
    });
    NodeScript.Run run = NodeScript.run("letta-approvals.cjs", Map.of("LETTA_BASE_URL", api.base(),
        "LETTA_API_KEY", key, "AGENT_ID", agent), 120);
    assertEquals(0, run.exitCode(), run.output());
  }

  @Test
  @DisplayName("token streaming: a call that pauses streams as approval_request_message fragments (no"
      + " tool_call_message), and a paused send_message says nothing before it is approved")
  void tokenStreaming() {
    String agent = agent(api, key);
    assertEquals(200, requireApproval(api, key, agent, INSERT, true).status());
    assertEquals(200, requireApproval(api, key, agent, "send_message", true).status());
    Step call = insert("streamed in pieces").chunksEvery(1);
    llm.enqueue(call);
    SseStream.Result r = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key,
        user("Remember").put("streaming", true).put("stream_tokens", true), Map.of());
    List<String> types = r.types();
    assertTrue(types.contains("approval_request_message"), types.toString());
    assertFalse(types.contains("tool_call_message"), types.toString());
    String arguments = r.withData().stream().filter(e -> e.data().startsWith("{")).map(SseStream.Event::json)
        .filter(j -> "approval_request_message".equals(j.getString("message_type")))
        .map(j -> j.getJsonObject("tool_call").getString("arguments", "")).reduce("", String::concat);
    assertEquals("streamed in pieces", new JsonObject(arguments).getString("content"));

    llm.enqueue(Step.sendMessage("Telling them.", "Saved it for you.").chunksEvery(1));
    SseStream.Result next = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key,
        approval(call.callId(), true, null).put("streaming", true).put("stream_tokens", true), Map.of());
    assertTrue(next.types().contains("approval_request_message"), next.types().toString());
    assertFalse(next.types().contains("assistant_message"), "send_message waits for its approval: "
        + next.types());
    assertEquals(1, passages(api, key, agent));
  }
}
