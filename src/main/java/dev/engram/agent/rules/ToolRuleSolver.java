package dev.engram.agent.rules;

import dev.engram.model.ToolRule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an agent's tool rules allow, as Letta defines them (letta/schemas/tool_rule.py), computed from the calls the
 * turn has made so far (oldest first; calls the rules refused and calls denied are not counted) and the output of the
 * last one. Pure: tests call it directly.
 *
 * <ul>
 *   <li>{@code run_first}: before any call of the turn, only these tools (all run_first rules together);
 *   <li>{@code constrain_child_tools}: right after the tool, only its children;
 *   <li>{@code conditional}: right after the tool, the one tool its output maps to (the output compared as text,
 *       {@code true}/{@code false} case-insensitively, numbers by value), else {@code default_child}, else any tool
 *       (none at all when {@code require_output_mapping});
 *   <li>{@code parent_last_tool}: the children only right after the tool, and only its children then;
 *   <li>{@code max_count_per_step}: not once the turn has called it {@code max_count_limit} times;
 *   <li>{@code exit_loop}: the turn ends after the tool, even if the model asked to go on;
 *   <li>{@code continue_loop} (and a tool with children or a conditional): the turn goes on after the tool;
 *   <li>{@code required_before_exit}: the turn cannot end before the tool ran (not even by exit_loop, as in Letta);
 *   <li>{@code requires_approval}: no constraint here (see {@link dev.engram.model.ToolRules#requiresApproval}).
 * </ul>
 * The constraints of every rule that applies hold together (their intersection), as in Letta.
 */
public final class ToolRuleSolver {
  private final List<ToolRule> rules;

  public ToolRuleSolver(List<ToolRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** The tools of {@code available} the model may call next, in {@code available}'s order. */
  public List<String> allowed(List<String> available, List<String> history, String lastOutput) {
    List<String> out = new ArrayList<>();
    for (String tool : available) {
      if (refusal(tool, history, lastOutput) == null) {
        out.add(tool);
      }
    }
    return out;
  }

  /**
   * Why a call to {@code tool} breaks the rules now (the rules it breaks, said in words), or null when it may be
   * called.
   */
  public String refusal(String tool, List<String> history, String lastOutput) {
    String last = history.isEmpty() ? null : history.get(history.size() - 1);
    List<String> broken = new ArrayList<>();
    if (history.isEmpty()) {
      Set<String> first = new LinkedHashSet<>();
      for (ToolRule r : rules) {
        if (ToolRule.RUN_FIRST.equals(r.type())) {
          first.add(r.toolName());
        }
      }
      if (!first.isEmpty()) {
        // as in Letta, the run_first rules alone decide the turn's first call
        return first.contains(tool) ? null : "the turn must start with one of " + first + " (run_first)";
      }
    }
    for (ToolRule r : rules) {
      String why = switch (r.type()) {
        case ToolRule.CHILDREN -> r.toolName().equals(last) && !r.children().contains(tool)
            ? "after " + r.toolName() + " only " + r.children() + " may be called (constrain_child_tools)" : null;
        case ToolRule.PARENT -> {
          if (r.toolName().equals(last)) {
            yield r.children().contains(tool) ? null
                : "after " + r.toolName() + " only " + r.children() + " may be called (parent_last_tool)";
          }
          yield r.children().contains(tool)
              ? tool + " may only be called right after " + r.toolName() + " (parent_last_tool)" : null;
        }
        case ToolRule.CONDITIONAL -> r.toolName().equals(last) ? conditional(r, tool, lastOutput) : null;
        case ToolRule.MAX_COUNT -> r.toolName().equals(tool) && count(history, tool) >= r.maxCountLimit()
            ? tool + " may be called at most " + r.maxCountLimit() + " time(s) per turn (max_count_per_step)" : null;
        default -> null;
      };
      if (why != null) {
        broken.add(why);
      }
    }
    return broken.isEmpty() ? null : String.join("; ", broken);
  }

  private static String conditional(ToolRule r, String tool, String output) {
    String next = null;
    for (Map.Entry<String, String> e : r.childOutputMapping().entrySet()) {
      if (matches(output, e.getKey())) {
        next = e.getValue();
        break;
      }
    }
    if (next == null && !Boolean.TRUE.equals(r.requireOutputMapping())) {
      next = r.defaultChild();
      if (next == null) {
        return null; // no mapping and no default: any tool
      }
    }
    if (next == null) {
      return "the output of " + r.toolName() + " matches none of " + r.childOutputMapping().keySet()
          + ", so no tool may follow it (conditional, require_output_mapping)";
    }
    return next.equals(tool) ? null
        : "after " + r.toolName() + " with this output only " + next + " may be called (conditional)";
  }

  /** Whether a tool's output matches a mapping key: as text, as a boolean (true/false), or as a number. */
  static boolean matches(String output, String key) {
    String out = output == null ? "" : output.strip();
    if (out.equals(key)) {
      return true;
    }
    if (key.equalsIgnoreCase("true") || key.equalsIgnoreCase("false")) {
      return out.equalsIgnoreCase(key);
    }
    try {
      return Double.parseDouble(out) == Double.parseDouble(key);
    } catch (NumberFormatException notNumbers) {
      return false;
    }
  }

  /**
   * The arguments the rules prefill for a call to {@code tool} now, which override the model's: a run_first rule's
   * {@code args} for the turn's first call, a constrain_child_tools rule's {@code child_arg_nodes} right after its
   * tool. Empty when none apply.
   */
  public Map<String, Object> prefilled(String tool, List<String> history) {
    String last = history.isEmpty() ? null : history.get(history.size() - 1);
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (ToolRule r : rules) {
      if (ToolRule.RUN_FIRST.equals(r.type()) && history.isEmpty() && r.toolName().equals(tool)
          && r.args() != null) {
        out.putAll(r.args());
      }
      if (ToolRule.CHILDREN.equals(r.type()) && r.toolName().equals(last) && r.childArgs() != null) {
        for (Map<String, Object> node : r.childArgs()) {
          if (tool.equals(node.get("name")) && node.get("args") instanceof Map<?, ?> args) {
            args.forEach((k, v) -> out.put(String.valueOf(k), v));
          }
        }
      }
    }
    return out;
  }

  /** Whether the turn ends after {@code tool} (exit_loop), whatever the model asked. */
  public boolean ends(String tool) {
    return has(ToolRule.EXIT_LOOP, tool);
  }

  /** Whether the turn goes on after {@code tool}: continue_loop, or rules that say which tool comes next. */
  public boolean continues(String tool) {
    return has(ToolRule.CONTINUE_LOOP, tool) || has(ToolRule.CHILDREN, tool) || has(ToolRule.CONDITIONAL, tool);
  }

  /** The required_before_exit tools of {@code available} that the turn has not called yet. */
  public List<String> stillRequired(List<String> available, List<String> history) {
    Set<String> out = new LinkedHashSet<>();
    for (ToolRule r : rules) {
      if (ToolRule.REQUIRED_BEFORE_EXIT.equals(r.type()) && available.contains(r.toolName())
          && !history.contains(r.toolName())) {
        out.add(r.toolName());
      }
    }
    return List.copyOf(out);
  }

  private boolean has(String type, String tool) {
    for (ToolRule r : rules) {
      if (r.type().equals(type) && r.toolName().equals(tool)) {
        return true;
      }
    }
    return false;
  }

  private static int count(List<String> history, String tool) {
    int n = 0;
    for (String h : history) {
      if (h.equals(tool)) {
        n++;
      }
    }
    return n;
  }
}
