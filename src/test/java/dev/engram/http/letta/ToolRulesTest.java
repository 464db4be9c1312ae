package dev.engram.http.letta;

import static dev.engram.http.letta.Letta.block;
import static dev.engram.http.letta.Letta.createAgent;
import static dev.engram.http.letta.LettaAgentsTest.assertProblem;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Letta's tool rules on /v1 agents, each kind end to end with the scripted model: what the model is offered at each
 * step, what a call that breaks a rule gets (a failed return naming the rule; the tool does not run), and when the
 * turn ends. The rule logic itself is tested directly in agent.rules.ToolRuleSolverTest.
 */
class ToolRulesTest {
  private static final String INSERT = "archival_memory_insert";
  private static final String SEARCH = "archival_memory_search";
  private static final String APPEND = "core_memory_append";

  private final Api api = TestServer.shared().checkedApi();
  private final ScriptedLlm llm = TestServer.llm();
  private String key;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  private String agent(String rules) {
    return createAgent(api, key, new JsonObject().put("name", "Ruled").put("model", "openai/gpt-4")
        .put("memory_blocks", new JsonArray().add(block("persona", "I follow rules.")).add(block("human", "Ada.")))
        .put("tool_rules", new JsonArray(rules))).getString("id");
  }

  private JsonObject send(String agent, String text) {
    Api.Response r = api.post("/v1/agents/" + agent + "/messages", key, new JsonObject().put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", text))));
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private static Step insert(String content, boolean heartbeat) {
    return Step.toolCall(null, INSERT, new JsonObject().put("content", content).put("request_heartbeat", heartbeat));
  }

  private static Step search(boolean heartbeat) {
    return Step.toolCall(null, SEARCH, new JsonObject().put("query", "tea").put("request_heartbeat", heartbeat));
  }

  private static Step append(boolean heartbeat) {
    return Step.toolCall(null, APPEND, new JsonObject().put("name", "human").put("content", "Likes tea.")
        .put("request_heartbeat", heartbeat));
  }

  private List<String> offered(int request) {
    return Letta.toolNames(llm.requests().get(request));
  }

  /** The content of the last message of model request {@code request} (a tool return, a heartbeat...). */
  private String lastInput(int request) {
    JsonArray messages = llm.requests().get(request).getJsonArray("messages");
    return messages.getJsonObject(messages.size() - 1).getString("content");
  }

  /** The content of the {@code back}-th message from the end of model request {@code request} (1: the last). */
  private String input(int request, int back) {
    JsonArray messages = llm.requests().get(request).getJsonArray("messages");
    return messages.getJsonObject(messages.size() - back).getString("content");
  }

  private int passages(String agent) {
    return new JsonArray(api.get("/v1/agents/" + agent + "/archival-memory?limit=100", key).body()).size();
  }

  private static String stop(JsonObject response) {
    return response.getJsonObject("stop_reason").getString("stop_reason");
  }

  private static List<JsonObject> returns(JsonObject response) {
    return response.getJsonArray("messages").stream().map(m -> (JsonObject) m)
        .filter(m -> "tool_return_message".equals(m.getString("message_type"))).toList();
  }

  @Test
  @DisplayName("tool_rules are taken on create and update, shown in Letta's shape, replaced by an update, and kept"
      + " across reads; a bad rule is a 422 naming it and changes nothing")
  void storedAndShown() {
    String agent = agent("[{\"type\":\"exit_loop\",\"tool_name\":\"send_message\"},"
        + "{\"type\":\"conditional\",\"tool_name\":\"core_memory_append\",\"child_output_mapping\":{\"None\":"
        + "\"send_message\"},\"default_child\":\"archival_memory_insert\"}]");
    JsonArray rules = api.get("/v1/agents/" + agent, key).json().getJsonArray("tool_rules");
    assertEquals(2, rules.size(), rules.encode());
    assertEquals(new JsonObject().put("tool_name", "send_message").put("type", "exit_loop")
        .putNull("prompt_template"), rules.getJsonObject(0));
    JsonObject conditional = rules.getJsonObject(1);
    assertEquals("conditional", conditional.getString("type"));
    assertEquals("archival_memory_insert", conditional.getString("default_child"));
    assertEquals(new JsonObject().put("None", "send_message"), conditional.getJsonObject("child_output_mapping"));
    assertEquals(false, conditional.getBoolean("require_output_mapping"));

    Api.Response updated = api.patch("/v1/agents/" + agent, key, new JsonObject().put("tool_rules", new JsonArray(
        "[{\"type\":\"max_count_per_step\",\"tool_name\":\"archival_memory_insert\",\"max_count_limit\":2}]")));
    assertEquals(200, updated.status(), updated.body());
    assertEquals(2, updated.json().getJsonArray("tool_rules").getJsonObject(0).getInteger("max_count_limit"));

    assertProblem(api.patch("/v1/agents/" + agent, key, new JsonObject().put("tool_rules", new JsonArray(
        "[{\"type\":\"run_first\",\"tool_name\":\"send_message\"},{\"type\":\"sometimes\",\"tool_name\":\"x\"}]"))),
        422, "tool_rules[1].type");
    assertProblem(api.patch("/v1/agents/" + agent, key, new JsonObject().put("tool_rules", "exit_loop")), 422,
        "tool_rules");
    assertEquals("max_count_per_step", api.get("/v1/agents/" + agent, key).json().getJsonArray("tool_rules")
        .getJsonObject(0).getString("type"), "the refused update changed nothing");

    int before = new JsonArray(api.get("/v1/agents/?limit=100", key).body()).size();
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("name", "Bad").put("tool_rules",
        new JsonArray("[{\"type\":\"exit_loop\"}]"))), 422, "tool_rules[0].tool_name");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("name", "Bad").put("tool_rules",
        new JsonArray("[{\"type\":\"constrain_child_tools\",\"tool_name\":\"a\",\"children\":[]}]"))), 422,
        "children");
    assertEquals(before, new JsonArray(api.get("/v1/agents/?limit=100", key).body()).size(), "no agent stored");
  }

  @Test
  @DisplayName("run_first: the turn's first step offers only that tool; another call first is refused, not run")
  void runFirst() {
    String agent = agent("[{\"type\":\"run_first\",\"tool_name\":\"archival_memory_search\"}]");
    llm.enqueue(insert("too early", true), search(true), Step.sendMessage("Done.", "Searched first."));
    JsonObject r = send(agent, "Hello");
    assertEquals(List.of(SEARCH), offered(0));
    assertTrue(returns(r).get(0).getString("tool_return").contains("run_first"), r.encode());
    assertEquals("error", returns(r).get(0).getString("status"));
    assertEquals(0, passages(agent), "the refused call did not run");
    assertEquals(List.of(SEARCH), offered(1), "a refused call does not open the turn");
    assertTrue(offered(2).contains(INSERT), "after the first call, any tool");
    assertEquals("end_turn", stop(r));

    llm.enqueue(search(false));
    send(agent, "Again");
    assertEquals(List.of(SEARCH), offered(3), "each turn starts under the rule");
  }

  @Test
  @DisplayName("run_first args are prefilled over the model's arguments for the turn's first call")
  void runFirstArgs() {
    String agent = agent("[{\"type\":\"run_first\",\"tool_name\":\"archival_memory_insert\","
        + "\"args\":{\"content\":\"set by the rule\"}}]");
    llm.enqueue(insert("chosen by the model", false));
    send(agent, "Save something");
    JsonArray saved = new JsonArray(api.get("/v1/agents/" + agent + "/archival-memory?limit=10", key).body());
    assertEquals("set by the rule", saved.getJsonObject(0).getString("text"), saved.encode());
  }

  @Test
  @DisplayName("exit_loop: the turn ends right after the tool even though the model asked for a heartbeat")
  void exitLoop() {
    String agent = agent("[{\"type\":\"exit_loop\",\"tool_name\":\"archival_memory_insert\"}]");
    llm.enqueue(insert("Ada likes tea.", true), Step.sendMessage("never", "never asked"));
    JsonObject r = send(agent, "Remember tea");
    assertEquals(1, llm.requestCount());
    assertEquals("tool_rule", stop(r), "the model asked to go on; the rule ended the turn");
    assertEquals(1, passages(agent));
    assertEquals("success", returns(r).get(0).getString("status"));
  }

  @Test
  @DisplayName("continue_loop: the turn goes on after the tool although the model asked for no heartbeat")
  void continueLoop() {
    String agent = agent("[{\"type\":\"continue_loop\",\"tool_name\":\"archival_memory_insert\"}]");
    llm.enqueue(insert("Ada likes tea.", false), Step.sendMessage("Saved.", "Noted."));
    JsonObject r = send(agent, "Remember tea");
    assertEquals(2, llm.requestCount());
    assertTrue(lastInput(1).contains("tool rule"), lastInput(1));
    assertEquals("end_turn", stop(r));
  }

  @Test
  @DisplayName("constrain_child_tools: right after the tool only its children are offered, the turn goes on, and"
      + " another call is refused")
  void children() {
    String agent = agent("[{\"type\":\"constrain_child_tools\",\"tool_name\":\"archival_memory_insert\","
        + "\"children\":[\"send_message\"]}]");
    llm.enqueue(insert("one", false), insert("two", true), Step.sendMessage("Ok.", "Saved it."));
    JsonObject r = send(agent, "Remember");
    assertEquals(List.of("send_message"), offered(1));
    assertTrue(returns(r).get(1).getString("tool_return").contains("constrain_child_tools"), r.encode());
    assertEquals(1, passages(agent), "the second insert broke the rule and did not run");
    assertEquals("end_turn", stop(r));
  }

  @Test
  @DisplayName("conditional: the tool's output picks the only tool offered next; a call to another is refused")
  void conditional() {
    String agent = agent("[{\"type\":\"conditional\",\"tool_name\":\"core_memory_append\",\"child_output_mapping\":"
        + "{\"None\":\"archival_memory_insert\"},\"default_child\":\"send_message\"}]");
    llm.enqueue(append(false), Step.sendMessage("Skip.", "not yet"), insert("tea", true),
        Step.sendMessage("Done.", "Saved."));
    JsonObject r = send(agent, "Remember");
    assertEquals(List.of(INSERT), offered(1), "core_memory_append returns None, mapped to archival_memory_insert");
    assertTrue(input(2, 2).contains("conditional"), input(2, 2));
    assertEquals(1, passages(agent));
    assertEquals(4, llm.requestCount());
    assertEquals("end_turn", stop(r));
  }

  @Test
  @DisplayName("parent_last_tool: the child is offered only right after its parent; called before, it is refused")
  void parentLastTool() {
    String agent = agent("[{\"type\":\"parent_last_tool\",\"tool_name\":\"archival_memory_search\","
        + "\"children\":[\"archival_memory_insert\"]}]");
    llm.enqueue(insert("early", true), search(true), insert("after search", true), Step.sendMessage("Ok.", "Done."));
    JsonObject r = send(agent, "Go");
    assertFalse(offered(0).contains(INSERT), offered(0).toString());
    assertTrue(returns(r).get(0).getString("tool_return").contains("parent_last_tool"), r.encode());
    assertEquals(List.of(INSERT), offered(2), "right after the parent: only its children");
    assertEquals(1, passages(agent));
  }

  @Test
  @DisplayName("max_count_per_step: once the turn has called the tool that often it is no longer offered, and a"
      + " further call is refused")
  void maxCount() {
    String agent = agent("[{\"type\":\"max_count_per_step\",\"tool_name\":\"archival_memory_insert\","
        + "\"max_count_limit\":1}]");
    llm.enqueue(insert("one", true), insert("two", true), Step.sendMessage("Ok.", "Done."));
    JsonObject r = send(agent, "Go");
    assertTrue(offered(0).contains(INSERT));
    assertFalse(offered(1).contains(INSERT), offered(1).toString());
    assertTrue(returns(r).get(1).getString("tool_return").contains("max_count_per_step"), r.encode());
    assertEquals(1, passages(agent));

    llm.enqueue(insert("next turn", false));
    send(agent, "Again");
    assertEquals(2, passages(agent), "the count is per turn");
  }

  @Test
  @DisplayName("required_before_exit: a turn that would end goes on with a heartbeat naming the missing tool, until"
      + " it ran; the step budget still bounds it")
  void requiredBeforeExit() {
    String agent = agent("[{\"type\":\"required_before_exit\",\"tool_name\":\"archival_memory_insert\"}]");
    llm.enqueue(Step.sendMessage("Bye.", "Bye!"), insert("saved before leaving", false));
    JsonObject r = send(agent, "Bye");
    assertEquals(2, llm.requestCount());
    assertTrue(lastInput(1).contains("archival_memory_insert"), lastInput(1));
    assertEquals("end_turn", stop(r));
    assertEquals(1, passages(agent));

    // required_before_exit holds over exit_loop, as in Letta
    assertEquals(200, api.patch("/v1/agents/" + agent, key, new JsonObject().put("tool_rules", new JsonArray(
        "[{\"type\":\"required_before_exit\",\"tool_name\":\"archival_memory_search\"},"
            + "{\"type\":\"exit_loop\",\"tool_name\":\"archival_memory_insert\"}]"))).status());
    llm.reset().enqueue(insert("exit now", true), search(false));
    assertEquals("end_turn", stop(send(agent, "Save and go")));
    assertEquals(2, llm.requestCount());
    assertTrue(lastInput(1).contains("archival_memory_search"), lastInput(1));

    assertEquals(200, api.patch("/v1/agents/" + agent, key, new JsonObject().put("tool_rules", new JsonArray(
        "[{\"type\":\"required_before_exit\",\"tool_name\":\"archival_memory_insert\"}]"))).status());
    llm.reset().fallbackIgnoringRequest(() -> Step.sendMessage("Bye.", "Bye again!"));
    Api.Response bounded = api.post("/v1/agents/" + agent + "/messages", key, new JsonObject().put("max_steps", 3)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Bye"))));
    assertEquals(200, bounded.status(), bounded.body());
    assertEquals("max_steps", stop(bounded.json()));
    assertEquals(3, llm.requestCount());
  }

  @Test
  @DisplayName("an agent file carries the rules: exported in Letta's shape, imported back as they were")
  void agentFile() {
    String rules = "[{\"type\":\"run_first\",\"tool_name\":\"archival_memory_search\"},"
        + "{\"type\":\"requires_approval\",\"tool_name\":\"archival_memory_insert\"}]";
    String agent = agent(rules);
    Api.Response exported = api.get("/v1/agents/" + agent + "/export", key);
    assertEquals(200, exported.status(), exported.body());
    JsonArray inFile = exported.json().getJsonArray("agents").getJsonObject(0).getJsonArray("tool_rules");
    assertEquals(api.get("/v1/agents/" + agent, key).json().getJsonArray("tool_rules"), inFile);
    Api.Response imported = api.upload("/v1/agents/import", key, "file", "ruled.af",
        exported.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(200, imported.status(), imported.body());
    String copy = imported.json().getJsonArray("agent_ids").getString(0);
    assertEquals(inFile, api.get("/v1/agents/" + copy, key).json().getJsonArray("tool_rules"));
  }
}
