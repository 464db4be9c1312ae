package dev.engram.agent;

import dev.engram.agent.rules.ToolRuleSolver;
import dev.engram.agent.rules.TurnHistory;
import dev.engram.agent.tool.Toolset;
import dev.engram.model.ClientTool;
import dev.engram.model.ToolCall;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which calls a step may make and when the loop pauses, for one thread at one moment: the agent's tool rules
 * ({@link ToolRuleSolver}) over the calls of the turn so far ({@link TurnHistory}, read from the context), the tools
 * that need their owner's approval, and the client-side tools of the send. Built afresh for each decision (the rules
 * may change between steps), so it holds no state of its own.
 */
final class ToolGate {
  /** What happens to a call: it runs, it is refused (a failed return saying which rule), or the loop pauses. */
  record Verdict(String refusal, boolean pause) {
    static final Verdict RUN = new Verdict(null, false);
  }

  /** After a call ran, the turn ends (exit_loop), goes on by a rule ({@code note}: why), or goes as the model asked. */
  record After(boolean ends, boolean goesOn, String note) {}

  private final AgentRuntime rt;
  private final List<ClientTool> clientTools;
  private final Predicate<String> approvalByDefault;
  private final ToolRuleSolver solver;
  /** Read from the context when a rule needs it (a loop without rules never walks its context for it). */
  private TurnHistory turn;

  ToolGate(AgentRuntime rt, List<ClientTool> clientTools, Predicate<String> approvalByDefault) {
    this.rt = rt;
    this.clientTools = clientTools;
    this.approvalByDefault = approvalByDefault;
    this.solver = new ToolRuleSolver(rt.agent.toolRules().rules());
  }

  private TurnHistory turn() {
    if (turn == null) {
      turn = TurnHistory.of(rt.context);
    }
    return turn;
  }

  private boolean noRules() {
    return rt.agent.toolRules().rules().isEmpty();
  }

  /** Whether nothing here changes what a plain loop does: no rules and no client-side tools. */
  boolean plain() {
    return rt.agent.toolRules().rules().isEmpty() && clientTools.isEmpty();
  }

  /** The schemas offered to the model now: the agent's tools and the send's client tools that the rules allow. */
  List<JsonObject> schemas(Toolset tools) {
    if (plain()) {
      return tools.schemas(rt.agent.tools());
    }
    List<String> allowed = noRules() ? available() : solver.allowed(available(), turn().calls(), turn().lastOutput());
    List<String> server = new ArrayList<>();
    for (String name : rt.agent.tools()) {
      if (allowed.contains(name)) {
        server.add(name);
      }
    }
    List<JsonObject> out = new ArrayList<>(tools.schemas(server));
    for (ClientTool t : clientTools) {
      if (allowed.contains(t.name()) && !rt.agent.tools().contains(t.name())) {
        out.add(t.schema());
      }
    }
    return out;
  }

  /**
   * What to do with a call the model made: refuse it when the rules do not allow it now (checked first, so a call
   * that breaks a rule is never put to the user), pause when it needs approval or the client runs it, else run it.
   * A name that is no tool here is left to the registry (which answers that there is no such function).
   */
  Verdict verdict(ToolCall call) {
    String name = call.name();
    boolean server = rt.agent.tools().contains(name);
    boolean client = !server && clientTools.stream().anyMatch(t -> t.name().equals(name));
    if (!server && !client) {
      return Verdict.RUN;
    }
    String refusal = noRules() ? null : refusal(name);
    if (refusal != null) {
      return new Verdict(refusal, false);
    }
    return client || rt.agent.toolRules().requiresApproval(name, approvalByDefault) ? new Verdict(null, true)
        : Verdict.RUN;
  }

  /** Why the rules refuse a call to {@code name} now (what the model is told), or null. */
  String refusal(String name) {
    String why = solver.refusal(name, turn().calls(), turn().lastOutput());
    if (why == null) {
      return null;
    }
    return TurnHistory.REFUSED + " Cannot call " + name + ": " + why + ". Tools you may call now: "
        + solver.allowed(available(), turn().calls(), turn().lastOutput());
  }

  /** The call with the arguments the rules prefill (run_first args, child_arg_nodes) over the model's. */
  ToolCall prefilled(ToolCall call) {
    if (noRules()) {
      return call;
    }
    Map<String, Object> fill = solver.prefilled(call.name(), turn().calls());
    if (fill.isEmpty()) {
      return call;
    }
    JsonObject args;
    try {
      String raw = call.arguments();
      args = raw == null || raw.isBlank() ? new JsonObject() : new JsonObject(raw);
    } catch (RuntimeException notJson) {
      return call; // the registry answers that the arguments do not parse
    }
    fill.forEach(args::put);
    return new ToolCall(call.id(), call.name(), args.encode());
  }

  /** How the turn goes on after {@code name} ran (the context already holds its return). */
  After after(String name) {
    if (solver.ends(name)) {
      return new After(true, false, null);
    }
    if (solver.continues(name)) {
      return new After(false, true, "[This is an automated system message hidden from the user] Continuing: a tool"
          + " rule says the turn goes on after " + name + ".");
    }
    return new After(false, false, null);
  }

  /** The heartbeat that keeps a turn going while required_before_exit tools have not run, or null. */
  String stillRequired() {
    if (noRules()) {
      return null;
    }
    List<String> missing = solver.stillRequired(rt.agent.tools(), turn().calls());
    return missing.isEmpty() ? null : "[This is an automated system message hidden from the user] Continuing: these"
        + " tools must be called before the turn ends: " + missing + ".";
  }

  private List<String> available() {
    List<String> out = new ArrayList<>(rt.agent.tools());
    for (ClientTool t : clientTools) {
      if (!out.contains(t.name())) {
        out.add(t.name());
      }
    }
    return out;
  }
}
