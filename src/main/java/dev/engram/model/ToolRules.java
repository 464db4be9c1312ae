package dev.engram.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An agent's tool rules ({@code rules}, Letta's {@code tool_rules}) and the tools whose approval its owner switched
 * off ({@code approvalOff}): a tool that requires approval by its own default stops requiring it on this agent when
 * the owner says so (PATCH .../tools/approval/{tool_name} with false), which a rule alone cannot express.
 */
public record ToolRules(List<ToolRule> rules, List<String> approvalOff) {
  public static final ToolRules NONE = new ToolRules(List.of(), List.of());

  public ToolRules {
    rules = rules == null ? List.of() : List.copyOf(rules);
    approvalOff = approvalOff == null ? List.of() : List.copyOf(approvalOff);
  }

  /** The same switches with these rules. */
  public ToolRules withRules(List<ToolRule> next) {
    return new ToolRules(next, approvalOff);
  }

  /**
   * Whether a call to {@code tool} waits for its owner's approval: a requires_approval rule names it, or the tool
   * requires it by default ({@code byDefault}) and the owner did not switch that off on this agent.
   */
  public boolean requiresApproval(String tool, Predicate<String> byDefault) {
    for (ToolRule r : rules) {
      if (ToolRule.REQUIRES_APPROVAL.equals(r.type()) && r.toolName().equals(tool)) {
        return true;
      }
    }
    return !approvalOff.contains(tool) && byDefault.test(tool);
  }

  /** The rules with approval of {@code tool} switched on (one requires_approval rule) or off (none, and no default). */
  public ToolRules withApproval(String tool, boolean required) {
    List<ToolRule> next = new ArrayList<>();
    for (ToolRule r : rules) {
      if (!(ToolRule.REQUIRES_APPROVAL.equals(r.type()) && r.toolName().equals(tool))) {
        next.add(r);
      }
    }
    List<String> off = new ArrayList<>(approvalOff);
    off.remove(tool);
    if (required) {
      next.add(ToolRule.of(ToolRule.REQUIRES_APPROVAL, tool));
    } else {
      off.add(tool);
    }
    return new ToolRules(next, off);
  }
}
