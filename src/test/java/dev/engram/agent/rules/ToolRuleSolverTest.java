package dev.engram.agent.rules;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.kernel.ApiException;
import dev.engram.model.Message;
import dev.engram.model.ToolRule;
import dev.engram.model.ToolRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each rule kind as Letta defines it, checked on the solver directly; and reading rules as clients send them. */
class ToolRuleSolverTest {
  private static final List<String> TOOLS = List.of("a", "b", "c", "d");

  private static ToolRuleSolver solver(String json) {
    return new ToolRuleSolver(ToolRule.parseAll(new JsonArray(json), "tool_rules"));
  }

  @Test
  @DisplayName("no rules: every tool, always; nothing ends or continues a turn, nothing is required")
  void noRules() {
    ToolRuleSolver s = new ToolRuleSolver(List.of());
    assertEquals(TOOLS, s.allowed(TOOLS, List.of(), null));
    assertEquals(TOOLS, s.allowed(TOOLS, List.of("a", "a"), "x"));
    assertFalse(s.ends("a"));
    assertFalse(s.continues("a"));
    assertEquals(List.of(), s.stillRequired(TOOLS, List.of()));
  }

  @Test
  @DisplayName("run_first: only the run_first tools open a turn, then any tool")
  void runFirst() {
    ToolRuleSolver s = solver("[{\"type\":\"run_first\",\"tool_name\":\"b\"},{\"type\":\"run_first\",\"tool_name\":\"c\"}]");
    assertEquals(List.of("b", "c"), s.allowed(TOOLS, List.of(), null));
    assertTrue(s.refusal("a", List.of(), null).contains("run_first"));
    assertNull(s.refusal("b", List.of(), null));
    assertEquals(TOOLS, s.allowed(TOOLS, List.of("b"), "ok"));
  }

  @Test
  @DisplayName("exit_loop ends the turn after its tool; continue_loop keeps it going")
  void exitAndContinue() {
    ToolRuleSolver s = solver("[{\"type\":\"exit_loop\",\"tool_name\":\"a\"},{\"type\":\"continue_loop\",\"tool_name\":\"b\"}]");
    assertTrue(s.ends("a"));
    assertFalse(s.ends("b"));
    assertTrue(s.continues("b"));
    assertFalse(s.continues("a"));
    assertEquals(TOOLS, s.allowed(TOOLS, List.of("a"), null), "neither constrains which tool is called");
  }

  @Test
  @DisplayName("constrain_child_tools: right after the parent only its children, later anything; the turn goes on")
  void children() {
    ToolRuleSolver s = solver("[{\"type\":\"constrain_child_tools\",\"tool_name\":\"a\",\"children\":[\"c\",\"d\"]}]");
    assertEquals(List.of("c", "d"), s.allowed(TOOLS, List.of("a"), "x"));
    assertTrue(s.refusal("b", List.of("a"), "x").contains("constrain_child_tools"));
    assertEquals(TOOLS, s.allowed(TOOLS, List.of("a", "c"), "x"));
    assertEquals(TOOLS, s.allowed(TOOLS, List.of(), null));
    assertTrue(s.continues("a"));
  }

  @Test
  @DisplayName("conditional: the output picks the next tool (text, booleans, numbers), else the default, else any;"
      + " require_output_mapping allows none when nothing matches")
  void conditional() {
    ToolRuleSolver s = solver("[{\"type\":\"conditional\",\"tool_name\":\"a\",\"default_child\":\"d\","
        + "\"child_output_mapping\":{\"yes\":\"b\",\"true\":\"c\",\"2\":\"b\"}}]");
    assertEquals(List.of("b"), s.allowed(TOOLS, List.of("a"), "yes"));
    assertEquals(List.of("c"), s.allowed(TOOLS, List.of("a"), "True"));
    assertEquals(List.of("b"), s.allowed(TOOLS, List.of("a"), "2.0"));
    assertEquals(List.of("d"), s.allowed(TOOLS, List.of("a"), "something else"));
    assertEquals(TOOLS, s.allowed(TOOLS, List.of("a", "d"), "yes"), "only right after the tool");
    assertTrue(s.continues("a"));

    ToolRuleSolver open = solver("[{\"type\":\"conditional\",\"tool_name\":\"a\",\"child_output_mapping\":{\"x\":\"b\"}}]");
    assertEquals(TOOLS, open.allowed(TOOLS, List.of("a"), "y"), "no match and no default: any tool");
    ToolRuleSolver strict = solver("[{\"type\":\"conditional\",\"tool_name\":\"a\",\"child_output_mapping\":"
        + "{\"x\":\"b\"},\"require_output_mapping\":true}]");
    assertEquals(List.of(), strict.allowed(TOOLS, List.of("a"), "y"));
    assertTrue(strict.refusal("b", List.of("a"), "y").contains("require_output_mapping"));
    assertEquals(List.of("b"), strict.allowed(TOOLS, List.of("a"), "x"));
  }

  @Test
  @DisplayName("parent_last_tool: the children only right after the parent, and only they then")
  void parent() {
    ToolRuleSolver s = solver("[{\"type\":\"parent_last_tool\",\"tool_name\":\"a\",\"children\":[\"b\"]}]");
    assertEquals(List.of("a", "c", "d"), s.allowed(TOOLS, List.of(), null));
    assertTrue(s.refusal("b", List.of("c"), null).contains("only be called right after a"));
    assertEquals(List.of("b"), s.allowed(TOOLS, List.of("a"), "x"));
  }

  @Test
  @DisplayName("max_count_per_step: a tool is refused once the turn has called it that many times")
  void maxCount() {
    ToolRuleSolver s = solver("[{\"type\":\"max_count_per_step\",\"tool_name\":\"a\",\"max_count_limit\":2}]");
    assertTrue(s.allowed(TOOLS, List.of("a"), null).contains("a"));
    assertFalse(s.allowed(TOOLS, List.of("a", "b", "a"), null).contains("a"));
    assertTrue(s.refusal("a", List.of("a", "a"), null).contains("at most 2"));
  }

  @Test
  @DisplayName("required_before_exit: the tools not yet called this turn (and attached) are still required")
  void requiredBeforeExit() {
    ToolRuleSolver s = solver("[{\"type\":\"required_before_exit\",\"tool_name\":\"a\"},"
        + "{\"type\":\"required_before_exit\",\"tool_name\":\"z\"}]");
    assertEquals(List.of("a"), s.stillRequired(TOOLS, List.of("b")), "z is not attached: not required");
    assertEquals(List.of(), s.stillRequired(TOOLS, List.of("b", "a")));
    assertEquals(TOOLS, s.allowed(TOOLS, List.of(), null));
  }

  @Test
  @DisplayName("requires_approval constrains nothing here; rules combine by intersection")
  void approvalAndIntersection() {
    ToolRuleSolver s = solver("[{\"type\":\"requires_approval\",\"tool_name\":\"a\"},"
        + "{\"type\":\"constrain_child_tools\",\"tool_name\":\"b\",\"children\":[\"a\",\"c\"]},"
        + "{\"type\":\"max_count_per_step\",\"tool_name\":\"a\",\"max_count_limit\":1}]");
    assertEquals(TOOLS, s.allowed(TOOLS, List.of(), null));
    assertEquals(List.of("a", "c"), s.allowed(TOOLS, List.of("b"), null));
    assertEquals(List.of("c"), s.allowed(TOOLS, List.of("a", "b"), null));
  }

  @Test
  @DisplayName("prefilled arguments: run_first args for the turn's first call, child_arg_nodes right after the parent")
  void prefilled() {
    ToolRuleSolver s = solver("[{\"type\":\"run_first\",\"tool_name\":\"a\",\"args\":{\"x\":1}},"
        + "{\"type\":\"constrain_child_tools\",\"tool_name\":\"a\",\"children\":[\"b\",\"c\"],"
        + "\"child_arg_nodes\":[{\"name\":\"b\",\"args\":{\"y\":\"z\"}}]}]");
    assertEquals(Map.of("x", 1), s.prefilled("a", List.of()));
    assertEquals(Map.of(), s.prefilled("a", List.of("b")));
    assertEquals(Map.of("y", "z"), s.prefilled("b", List.of("a")));
    assertEquals(Map.of(), s.prefilled("c", List.of("a")));
    assertEquals(Map.of(), s.prefilled("b", List.of("a", "c")));
  }

  @Test
  @DisplayName("approval: a requires_approval rule, or the tool's own default unless the owner switched it off on"
      + " this agent; switching on adds one rule, switching off removes it")
  void approvalSwitches() {
    java.util.function.Predicate<String> byDefault = "b"::equals;
    ToolRules none = ToolRules.NONE;
    assertFalse(none.requiresApproval("a", byDefault));
    assertTrue(none.requiresApproval("b", byDefault), "the tool's default");
    ToolRules on = none.withApproval("a", true).withApproval("a", true);
    assertEquals(1, on.rules().size(), "one rule, however often it is switched on");
    assertTrue(on.requiresApproval("a", byDefault));
    ToolRules off = on.withApproval("a", false).withApproval("b", false);
    assertEquals(List.of(), off.rules());
    assertFalse(off.requiresApproval("a", byDefault));
    assertFalse(off.requiresApproval("b", byDefault), "the default switched off on this agent");
    assertTrue(off.withApproval("b", true).requiresApproval("b", byDefault));
  }

  @Test
  @DisplayName("the turn's calls are read back from the context: since the last user message, heartbeats inside,"
      + " refused and denied calls left out, the last output unpackaged")
  void turnHistory() {
    List<Message> context = new ArrayList<>();
    context.add(msg(Message.SYSTEM, "sys", null));
    context.add(msg(Message.USER, "{\"type\":\"user_message\",\"message\":\"old\"}", null));
    context.add(msg(Message.TOOL, "{\"status\":\"OK\",\"message\":\"old\"}", "d"));
    context.add(msg(Message.USER, "{\"type\":\"user_message\",\"message\":\"hi\"}", null));
    context.add(msg(Message.TOOL, "{\"status\":\"OK\",\"message\":\"1\"}", "a"));
    context.add(msg(Message.USER, "{\"type\":\"heartbeat\",\"reason\":\"go\"}", null));
    context.add(msg(Message.TOOL, "{\"status\":\"Failed\",\"message\":\"[ToolConstraintError] no\"}", "b"));
    context.add(msg(Message.TOOL, "{\"status\":\"Failed\",\"message\":\"[ToolCallDenied] no\"}", "c"));
    context.add(msg(Message.TOOL, "{\"status\":\"OK\",\"message\":\"yes\"}", "a"));
    TurnHistory turn = TurnHistory.of(context);
    assertEquals(List.of("a", "a"), turn.calls());
    assertEquals("yes", turn.lastOutput());
  }

  @Test
  @DisplayName("rules as clients send them: Letta's shape back, duplicates dropped, and a 422 naming the field for"
      + " an unknown type, a missing tool_name, or a bad field of a kind")
  void parsing() {
    List<ToolRule> rules = ToolRule.parseAll(new JsonArray("[{\"type\":\"max_count_per_step\",\"tool_name\":\"a\","
        + "\"max_count_limit\":3},{\"type\":\"exit_loop\",\"tool_name\":\"a\"},{\"type\":\"exit_loop\",\"tool_name\":\"a\"}]"),
        "tool_rules");
    assertEquals(2, rules.size());
    assertEquals(new JsonObject().put("tool_name", "a").put("type", "max_count_per_step").putNull("prompt_template")
        .put("max_count_limit", 3), rules.get(0).toJson());
    for (Map.Entry<String, String> bad : Map.of(
        "[{\"type\":\"sometimes\",\"tool_name\":\"a\"}]", "tool_rules[0].type",
        "[{\"type\":\"exit_loop\"}]", "tool_rules[0].tool_name",
        "[{\"type\":\"exit_loop\",\"tool_name\":\"\"}]", "tool_rules[0].tool_name",
        "[{\"type\":\"constrain_child_tools\",\"tool_name\":\"a\"}]", "tool_rules[0].children",
        "[{\"type\":\"constrain_child_tools\",\"tool_name\":\"a\",\"children\":[1]}]", "tool_rules[0].children[0]",
        "[{\"type\":\"conditional\",\"tool_name\":\"a\",\"child_output_mapping\":{}}]", "child_output_mapping",
        "[{\"type\":\"conditional\",\"tool_name\":\"a\",\"child_output_mapping\":{\"x\":\"b\"},\"require_output_mapping\":\"yes\"}]",
        "require_output_mapping",
        "[{\"type\":\"max_count_per_step\",\"tool_name\":\"a\",\"max_count_limit\":0}]", "max_count_limit",
        "[{\"type\":\"parent_last_tool\",\"tool_name\":\"a\",\"children\":\"b\"}]", "children",
        "[\"exit_loop\"]", "tool_rules[0]").entrySet()) {
      ApiException e = assertThrows(ApiException.class, () -> ToolRule.parseAll(new JsonArray(bad.getKey()),
          "tool_rules"), bad.getKey());
      assertEquals(422, e.status(), bad.getKey());
      assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
    }
    assertEquals(422, assertThrows(ApiException.class, () -> ToolRule.parseAll("x", "tool_rules")).status());
  }

  private static Message msg(String role, String text, String name) {
    return new Message("id-" + text.hashCode(), "agent", "user", role, text, name, List.of(), null, null, 0,
        Instant.now());
  }
}
