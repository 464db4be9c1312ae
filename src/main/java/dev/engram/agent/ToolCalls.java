package dev.engram.agent;

import dev.engram.agent.StepLoop.Outcome;
import dev.engram.agent.tool.ToolContext;
import dev.engram.agent.tool.Toolset;
import dev.engram.cluster.Fence;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Times;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.Run;
import dev.engram.model.RunRequest;
import dev.engram.model.StepEvent;
import dev.engram.model.ToolCall;
import dev.engram.store.StoreProtocol.Messages;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The tool calls of a {@link StepLoop}'s run: the call a step's model asks for goes through the agent's tool rules
 * ({@link ToolGate}: it runs, is refused, or pauses the run for an approval or a client-side tool), and its return is
 * stored with the step and says how the turn goes on ({@link Outcome}). A paused call is answered by a later send
 * ({@link PausedCalls}). While a tool runs, this is what it may see and change of the agent ({@link ToolContext}).
 */
final class ToolCalls implements ToolContext {
  private final AgentRuntime rt;
  private final AgentDeps deps;
  /** The lease the run started under (cluster mode): a block edit commits only while it is current. */
  private final Fence fence;
  private final RunRequest request;
  private final StepWriter writer;
  /** Whether the agent speaks in plain text (Letta's v1 loop) rather than through send_message. */
  private final boolean speaksInText;
  /** The agent's tools for this run. */
  private Toolset tools;
  private Message currentAssistant;

  ToolCalls(AgentRuntime rt, AgentDeps deps, Fence fence, RunRequest request, StepWriter writer,
      boolean speaksInText) {
    this.rt = rt;
    this.deps = deps;
    this.fence = fence;
    this.request = request;
    this.writer = writer;
    this.speaksInText = speaksInText;
  }

  /** The agent's tools as they are now (built-in ones at once; the user's own and MCP ones read once per run). */
  Future<Void> load() {
    return deps.toolsets().of(rt.agent.userId(), rt.agent.tools()).map(loaded -> {
      tools = loaded;
      return null;
    });
  }

  /** The rules, approvals and client tools as they stand now (see ToolGate). */
  ToolGate gate() {
    return new ToolGate(rt, request.clientTools(), name -> tools.defaultRequiresApproval(name));
  }

  /** The schemas of the tools the model is offered now. */
  List<JsonObject> schemas() {
    return gate().schemas(tools);
  }

  /**
   * Takes the call the model asked for in {@code assistant}: it pauses the run, is refused (a failed return the
   * model reacts to) or runs.
   */
  Future<Outcome> handle(ToolCall call, Message assistant, Instant now, boolean warning) {
    ToolGate.Verdict verdict = gate().verdict(call);
    if (verdict.pause()) {
      // stored with the step; the run ends here and a later send's answer resumes it (PausedCalls)
      writer.event(StepEvent.APPROVAL_REQUEST, null, null, assistant.id(), now, call);
      return Future.succeededFuture(new Outcome(false, false, false, Run.STOP_REQUIRES_APPROVAL, null));
    }
    writer.event(StepEvent.FUNCTION_CALL, null, null, assistant.id(), now, call);
    if (verdict.refusal() != null) {
      return Future.succeededFuture(failedReturn(call, verdict.refusal(), warning));
    }
    return runCall(call, warning);
  }

  /** Runs a call the rules allow (and its owner approved, if it had to) and takes its return. */
  Future<Outcome> runCall(ToolCall call, boolean warning) {
    String arguments = gate().prefilled(call).arguments();
    return tools.invoke(this, rt.agent.tools(), call.name(), arguments).map(result ->
        returned(call, result.ok(), result.output(), result.stdout(), result.stderr(), result.heartbeat(), warning));
  }

  /**
   * Stores and emits the return of a call that ran (here, or on the client), and says how the turn goes on: as the
   * model asked ({@code heartbeat}; always after a call in the plain-text loop), unless a tool rule decides.
   */
  Outcome returned(ToolCall call, boolean ok, String output, String stdout, String stderr, boolean heartbeat,
      boolean warning) {
    Instant done = Times.now();
    String packaged = Inputs.toolResult(ok, output, done, zone());
    Message tool = rt.newMessage(Message.TOOL, packaged, call.name(), List.of(), call.id(), done);
    writer.addToContext(tool);
    writer.event(StepEvent.FUNCTION_RETURN, output, ok ? "success" : "error", tool.id(), done, call, stdout, stderr);
    writer.rebuildSystemMessageIfChanged(done);
    ToolGate.After after = gate().after(call.name());
    if (after.ends()) {
      return new Outcome(false, false, false, heartbeat ? Run.STOP_TOOL_RULE : Run.END_TURN, null);
    }
    if (after.goesOn()) {
      return new Outcome(true, !ok, warning, null, speaksInText ? null : after.note());
    }
    return new Outcome(heartbeat || speaksInText, !ok, warning);
  }

  /** The failed return of a call that did not run (refused by the rules, denied by the user): the model reacts. */
  Outcome failedReturn(ToolCall call, String why, boolean warning) {
    Instant done = Times.now();
    Message tool = rt.newMessage(Message.TOOL, Inputs.toolResult(false, why, done, zone()), call.name(), List.of(),
        call.id(), done);
    writer.addToContext(tool);
    writer.event(StepEvent.FUNCTION_RETURN, why, "error", tool.id(), done, call);
    return new Outcome(true, true, warning);
  }

  /**
   * A turn about to end goes on while required_before_exit tools have not run (the step budget still bounds it); as
   * in Letta, this holds over an exit_loop tool too. A pause is a pause.
   */
  Outcome requiredTools(Outcome o) {
    boolean ending = o.stopReason() == null ? !o.heartbeat() && !o.failed() && !o.memoryWarning()
        : !Run.STOP_REQUIRES_APPROVAL.equals(o.stopReason());
    if (!ending) {
      return o;
    }
    String note = gate().stillRequired();
    return note == null ? o : new Outcome(true, false, false, null, note);
  }

  /** Keeps a message in the history without putting it in the context (an answer to a paused call). */
  void addToHistory(Message m) {
    writer.addToHistory(m);
  }

  /** The message whose call is being answered: send_message says what it said through it. */
  void answering(Message request) {
    currentAssistant = request;
  }

  // ToolContext

  @Override
  public CoreMemory memory() {
    return rt.agent.memory();
  }

  @Override
  public Future<Void> editMemory(String label, UnaryOperator<String> change) {
    Block block;
    try {
      block = rt.agent.memory().block(label);
    } catch (ApiException unknown) {
      return Future.failedFuture(unknown);
    }
    return BlockEdits.apply(deps.blocks(), rt.agent.userId(), block, change, true, fence).map(written -> {
      rt.agent = rt.agent.withMemory(rt.agent.memory().with(written));
      writer.memoryChanged();
      return null;
    });
  }

  @Override
  public void say(String message) {
    // the event names the call that said it (without its arguments, which hold the message again); a reply in plain
    // text has none
    ToolCall call = currentAssistant.toolCalls().get(0);
    writer.event(StepEvent.ASSISTANT, message, null, currentAssistant.id(), Times.now(),
        new ToolCall(call.id(), call.name(), null));
  }

  @Override
  public Future<Messages> searchRecall(String query, Instant from, Instant to, int offset, int limit) {
    return writer.save().compose(v -> deps.store().searchMessages(rt.agent.id(), rt.conversationId, query, from, to,
        offset, limit));
  }

  @Override
  public Future<List<String>> insertArchival(String content) {
    return deps.archival().insertByAgent(rt.agent.userId(), rt.agent.id(), content).map(stored -> {
      if (stored.scope() == null) {
        rt.archivalCount += stored.ids().size(); // the count is of passages: memories are counted by Mem0
      }
      return stored.ids();
    });
  }

  @Override
  public Future<List<ArchivalHit>> searchArchival(String query) {
    return deps.archival().search(rt.agent.userId(), rt.agent.id(), query, SearchMode.HYBRID,
        ArchivalMemory.SEARCH_DEPTH);
  }

  @Override
  public ZoneId zone() {
    return deps.zone();
  }
}
