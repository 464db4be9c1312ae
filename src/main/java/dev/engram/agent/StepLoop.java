package dev.engram.agent;

import dev.engram.cluster.Fence;
import dev.engram.agent.AgentProtocol.Step;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.llm.LlmException;
import dev.engram.llm.LlmReply;
import dev.engram.llm.LlmRequest;
import dev.engram.model.Message;
import dev.engram.model.Run;
import dev.engram.model.RunProgress;
import dev.engram.model.RunRequest;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import dev.engram.model.ToolCall;
import dev.engram.store.RunProtocol.Resumable;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One send to an agent: the model is called step after step (inner monologue, one function call, its result) until it
 * stops asking for heartbeats, the step budget is spent or the run is cancelled. Each step's messages, its events and
 * the agent's state are written in one transaction before the next step starts, and a step's events go out only once it
 * is written, so a client never sees what a crash could take back ({@link StepWriter}). The run's row goes with those
 * writes too: the first write inserts it (unless it was stored before it started) and the write of the last step ends
 * it, so a run costs no commit of its own. The input is written with the first step's result when the model answers
 * within {@link AgentDeps#inputWriteDelayMs()} (one commit instead of two), otherwise on its own when that delay ends,
 * and in any case before a failure is reported. In token mode the model's fragments are relayed as they arrive, before
 * the step is written; they are previews, and the step's events that follow its commit are what counts. Each step's
 * write also stores where the run stands after it ({@link RunProgress}): in cluster mode a node that takes the agent
 * over lets a run whose node died go on from its last stored step ({@link #resume}).
 *
 * <p>An agent without send_message ({@link dev.engram.model.Agent#speaksInText()}) runs Letta's v1 loop instead of
 * MemGPT's: the model's text is what the agent says to the user (an assistant event, no monologue), the loop goes
 * on after every tool call with the tool's result as the next input (no heartbeat message), and the turn ends when
 * the model answers without calling a tool (or the step budget is spent).
 *
 * <p>Which calls the model is offered and may make, and when the loop pauses for an approval or a client-side tool,
 * is {@link ToolGate}'s to say (the agent's tool rules); {@link ToolCalls} takes the call, and a paused call is
 * answered by a later send ({@link PausedCalls}).
 */
final class StepLoop {
  private static final Logger LOG = LoggerFactory.getLogger(StepLoop.class);
  static final double WARNING_FRACTION = 0.75;

  private final AgentRuntime rt;
  private final Step request;
  private final AgentDeps deps;
  private final Consumer<StepEvent> emit;
  private final Consumer<StepDelta> deltas;
  private final RunControl control;
  /** The run as it started; its end is derived from it. */
  private final Run started;
  private final int maxSteps;
  /** Whether the agent speaks in plain text (Letta's v1 loop) rather than through send_message. */
  private final boolean speaksInText;
  private long startNanos;
  /** Whether the run goes on from steps another node stored (its first token came there: no time to first token). */
  private boolean resumed;
  private long ttftNs = -1;
  /** The messages and events the run adds, and their writes. */
  private final StepWriter writer;
  /** The step's tool call, and what a tool sees of the agent. */
  private final ToolCalls toolCalls;
  private int prompt;
  private int completion;
  private int total;
  private int steps;
  /** The id of the assistant message of the step in progress. */
  private String replyId;
  /** Why a tool rule keeps the turn going: the next step's heartbeat says so (null: the usual heartbeat). */
  private String ruleNote;
  /** When the step in progress began (for the step-latency meter). */
  private long stepStart;

  /**
   * {@code started} is the run's row as it starts ({@code rowStored}: already in the database); {@code deltas} gets
   * the model's fragments in token mode.
   */
  StepLoop(AgentRuntime rt, Step request, AgentDeps deps, Consumer<StepEvent> emit, Consumer<StepDelta> deltas,
      RunControl control, Run started, boolean rowStored, Fence fence) {
    this.rt = rt;
    this.request = request;
    this.deps = deps;
    this.emit = emit;
    this.deltas = deltas;
    this.control = control;
    this.started = started;
    this.writer = new StepWriter(rt, deps, fence, started, rowStored);
    int asked = request.request().maxSteps();
    this.maxSteps = asked > 0 ? asked : deps.maxChainingSteps();
    this.speaksInText = rt.agent.speaksInText();
    this.toolCalls = new ToolCalls(rt, deps, fence, request.request(), writer, speaksInText);
  }

  /**
   * Runs the send to its end and answers the run's stored last state: completed, cancelled, or failed (with what a
   * client would have been told). Fails only when even that could not be written.
   */
  Future<Run> run() {
    startNanos = System.nanoTime();
    if (control.cancelled()) {
      return end(ended(Run.CANCELLED, Run.STOP_CANCELLED, null));
    }
    if (!request.request().answers().isEmpty()) {
      // the answer and the call's return follow the call they answer; the send's messages (if any) come after them
      stepStart = System.nanoTime();
      return toolCalls.load().compose(v -> PausedCalls.resolve(toolCalls, rt, request.request())).compose(outcome -> {
        addInputs();
        return afterStep(request.request().inputs().isEmpty() ? outcome : outcome.goingOn());
      }).recover(this::failed);
    }
    addInputs();
    writer.saveInput();
    return toolCalls.load().compose(v -> step()).recover(this::failed);
  }

  /**
   * Goes on with a run whose node stopped after storing some of its steps (cluster mode: the node that took its agent
   * over, see {@link dev.engram.store.RunProtocol.TakeOver}). Its input is not added again and its stored steps are
   * not run again: the loop goes on as its last stored step decided, with that step's next input (a heartbeat or an
   * alert) added now; the step budget counts the stored steps, the usage adds to theirs, and the events are numbered
   * on from the last stored one, so that a client following the run gets the continuation's after those it had. The
   * context ends with that step: what the step that was not stored wrote meanwhile (a conversation search stores the
   * step's messages so far) stays in the history, but the model does not see a call without its return.
   */
  Future<Run> resume(Resumable from) {
    RunProgress progress = from.progress();
    resumed = true;
    // its duration counts from its creation (on another node: a clock behind this one's counts as none)
    startNanos = System.nanoTime() - Math.max(0, Duration.between(started.createdAt(), Times.now()).toNanos());
    steps = progress.steps();
    prompt = progress.promptTokens();
    completion = progress.completionTokens();
    total = progress.totalTokens();
    writer.resumeAfter(from.lastSeq());
    for (int i = rt.context.size() - 1; i > 0; i--) {
      if (rt.context.get(i).id().equals(from.lastMessageId())) {
        rt.context.subList(i + 1, rt.context.size()).clear();
        break;
      }
    }
    if (control.cancelled()) {
      return end(ended(Run.CANCELLED, Run.STOP_CANCELLED, null));
    }
    ruleNote = progress.note();
    return toolCalls.load().compose(v -> next(StepDecision.goingOn(progress.next()))).recover(this::failed);
  }

  private void addInputs() {
    Instant now = Times.now();
    for (RunRequest.Input input : request.request().inputs()) {
      writer.addToContext(rt.newMessage(Message.USER, ContextBudget.envelope(input, now, zone()), null, List.of(), null,
          now));
    }
  }

  private Future<Run> step() {
    stepStart = System.nanoTime();
    return fitContext().compose(v -> complete()).compose(this::handle).compose(this::afterStep);
  }

  /** Decides after a step (or an answered call) whether the run goes on, and writes the step (and the run's end). */
  private Future<Run> afterStep(Outcome result) {
    Outcome outcome = toolCalls.requiredTools(result);
    int taken = steps + 1;
    StepDecision decision = outcome.stopReason() != null ? new StepDecision(false, StepDecision.Reason.END_TURN)
        : StepDecision.after(taken, maxSteps, outcome.memoryWarning, outcome.failed, outcome.heartbeat);
    ruleNote = decision.proceed() ? outcome.note() : null;
    String stop = outcome.stopReason() != null ? outcome.stopReason()
        : decision.reason() == StepDecision.Reason.MAX_STEPS ? Run.MAX_STEPS : Run.END_TURN;
    // a run that ends here is ended by this step's own write
    Run end = !decision.proceed() ? ended(Run.COMPLETED, stop, null, taken)
        : control.cancelled() ? ended(Run.CANCELLED, Run.STOP_CANCELLED, null, taken) : null;
    // stored with the step, so that another node can go on from it if this one stops (see resume)
    RunProgress progress = new RunProgress(taken, prompt, completion, total,
        end != null ? end.stopReason() : decision.stored(), decision.proceed() ? ruleNote : null);
    List<StepEvent> events = writer.takeHeld();
    return writer.save(events, end, progress).compose(v -> {
      deps.metrics().step().record(System.nanoTime() - stepStart, TimeUnit.NANOSECONDS);
      events.forEach(emit);
      steps = taken;
      if (end != null) {
        if (decision.reason() == StepDecision.Reason.MAX_STEPS) {
          LOG.info("agentId={} stopped after {} chained steps", rt.agent.id(), steps);
        }
        return Future.succeededFuture(end);
      }
      if (control.cancelled()) {
        return end(ended(Run.CANCELLED, Run.STOP_CANCELLED, null));
      }
      return next(decision);
    });
  }

  /** Adds the input of the next step (a heartbeat or an alert), then runs it. */
  private Future<Run> next(StepDecision decision) {
    String note = ruleNote;
    ruleNote = null;
    if (note != null && decision.reason() != StepDecision.Reason.MEMORY_PRESSURE) {
      Instant now = Times.now();
      writer.addToContext(rt.newMessage(Message.USER, Inputs.heartbeat(note, now, zone()), null, List.of(), null, now));
      return step();
    }
    if (speaksInText && decision.reason() != StepDecision.Reason.MEMORY_PRESSURE) {
      return step(); // the tool's result, already in context, is the model's next input
    }
    Instant now = Times.now();
    String input = switch (decision.reason()) {
      case MEMORY_PRESSURE -> Inputs.systemAlert(Inputs.MEMORY_WARNING, now, zone());
      case FUNCTION_FAILED -> Inputs.heartbeat(Inputs.HEARTBEAT_FAILED, now, zone());
      default -> Inputs.heartbeat(Inputs.HEARTBEAT_REQUESTED, now, zone());
    };
    writer.addToContext(rt.newMessage(Message.USER, input, null, List.of(), null, now));
    return step();
  }

  /** The run as it ends now with {@code status}; {@code failure} says why a failed run failed. */
  private Run ended(String status, String stopReason, ApiException failure) {
    return ended(status, stopReason, failure, steps);
  }

  private Run ended(String status, String stopReason, ApiException failure, int stepCount) {
    Run s = started;
    LlmReply.Usage u = usage();
    return new Run(s.id(), s.agentId(), s.userId(), status, stopReason, s.background(), s.idempotencyKey(),
        s.request(), u.promptTokens(), u.completionTokens(), u.totalTokens(), stepCount, writer.emitted(),
        failure == null ? null : failure.status(), failure == null ? null : failure.getMessage(), s.createdAt(),
        Times.now(), ttftNs < 0 ? null : ttftNs, System.nanoTime() - startNanos);
  }

  /** Writes the run's end with whatever is unsaved (nothing new may remain: then only the run's row). */
  private Future<Run> end(Run end) {
    return writer.save(List.of(), end, null).map(end);
  }

  /**
   * A failure ends the run as failed, written with what the run stored so far (the events of the step that failed
   * are dropped, as they never went out): an LLM that failed is {@code llm_api_error}, anything else {@code error}.
   */
  private Future<Run> failed(Throwable failure) {
    ApiException e = ApiException.from(failure);
    boolean llm = e.kind() == ErrorKind.UPSTREAM || e.kind() == ErrorKind.TIMEOUT;
    writer.dropHeld();
    return end(ended(Run.FAILED, llm ? Run.STOP_LLM_ERROR : Run.STOP_ERROR, e));
  }

  /** A chained step sees the blocks another writer changed meanwhile (the run's first step gets them fresh anyway). */
  private Future<Void> freshMemory() {
    return BlockSync.reload(rt, deps).map(changed -> {
      if (changed) {
        writer.rebuildSystemMessage(Times.now());
      }
      return null;
    });
  }

  /**
   * Summarises the oldest messages first when the prompt would not fit the context window; the prompt is measured
   * with the blocks as they now are (another writer may have changed a shared one since the last step).
   */
  private Future<Void> fitContext() {
    return freshMemory().compose(v -> promptTokens() <= ContextBudget.prompt(rt.agent.contextWindow())
        ? Future.succeededFuture() : summarize());
  }

  private Future<Void> summarize() {
    return deps.summarizer().summarize(rt, ContextBudget.messages(rt, deps), zone(), writer.unsaved()).map(u -> {
      count(u);
      return null;
    });
  }

  private Future<LlmReply> complete() {
    // taken before the call, so that token fragments name the message the step will store
    replyId = AgentRuntime.newId();
    return call().recover(e -> {
      if (e instanceof LlmException llm && llm.kind() == LlmException.Kind.CONTEXT_OVERFLOW) {
        return summarize().compose(v -> call());
      }
      return Future.failedFuture(e);
    }).recover(e -> Future.failedFuture(llmFailure(e)));
  }

  /** One model call: streamed with its fragments relayed in token mode, whole otherwise. */
  private Future<LlmReply> call() {
    if (!request.request().streamTokens()) {
      return deps.llm().complete(llmRequest()).onSuccess(r -> firstToken());
    }
    ToolGate gate = toolCalls.gate();
    TokenRelay relay = new TokenRelay(replyId, deltas, speaksInText,
        name -> gate.verdict(new ToolCall(null, name, null)).pause());
    return deps.llm().stream(llmRequest(), delta -> {
      firstToken();
      relay.accept(delta);
    });
  }

  private void firstToken() {
    if (ttftNs < 0 && !resumed) {
      ttftNs = System.nanoTime() - startNanos;
    }
  }

  private LlmRequest llmRequest() {
    return new LlmRequest(rt.agent.model(), rt.context, toolCalls.schemas(), rt.agent.userId());
  }

  /**
   * How a step ended: whether the model asked to go on, the call failed, memory is short; {@code stopReason} ends
   * the turn whatever those say (a pause for approval, an exit_loop rule), {@code note} says why a rule keeps it going.
   */
  record Outcome(boolean heartbeat, boolean failed, boolean memoryWarning, String stopReason, String note) {
    Outcome(boolean heartbeat, boolean failed, boolean memoryWarning) {
      this(heartbeat, failed, memoryWarning, null, null);
    }

    /** The same outcome, going on (the send brought messages to answer after the paused call). */
    Outcome goingOn() {
      return stopReason == null ? new Outcome(true, failed, memoryWarning, null, note)
          : new Outcome(true, false, memoryWarning, null, null);
    }
  }

  private Future<Outcome> handle(LlmReply reply) {
    count(reply.usage());
    boolean warning = memoryPressure(reply);
    Instant now = Times.now();
    List<ToolCall> calls = reply.toolCalls().isEmpty() ? List.of() : List.of(withId(reply.toolCalls().get(0)));
    Message assistant = rt.newMessage(replyId, Message.ASSISTANT, reply.content(), null, calls, null, now);
    writer.addToContext(assistant);
    toolCalls.answering(assistant);
    if (!speaksInText) {
      writer.event(StepEvent.MONOLOGUE, reply.content(), null, assistant.id(), now, null);
    } else if (reply.content() != null && !reply.content().isBlank()) {
      writer.event(StepEvent.ASSISTANT, reply.content(), null, assistant.id(), now, null);
    }
    if (calls.isEmpty()) {
      return Future.succeededFuture(new Outcome(false, false, warning));
    }
    return toolCalls.handle(calls.get(0), assistant, now, warning);
  }

  private boolean memoryPressure(LlmReply reply) {
    int used = Math.max(reply.usage().totalTokens(), promptTokens());
    if (used > WARNING_FRACTION * rt.agent.contextWindow() && !rt.agent.memoryAlerted()) {
      rt.agent = rt.agent.withContext(rt.agent.inContextIds(), true, rt.agent.lastRunAt());
      return true;
    }
    return false;
  }

  private int promptTokens() {
    return rt.contextTokens() + rt.toolTokens(deps);
  }

  private void count(LlmReply.Usage u) {
    prompt += u.promptTokens();
    completion += u.completionTokens();
    total += u.totalTokens();
  }

  private LlmReply.Usage usage() {
    return new LlmReply.Usage(prompt, completion, total);
  }

  private static ToolCall withId(ToolCall call) {
    return call.id() == null || call.id().isBlank()
        ? new ToolCall("call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24), call.name(),
            call.arguments())
        : call;
  }

  private static ApiException llmFailure(Throwable e) {
    if (e instanceof LlmException llm) {
      return new ApiException(llm.kind() == LlmException.Kind.TIMEOUT ? ErrorKind.TIMEOUT : ErrorKind.UPSTREAM,
          "The LLM endpoint failed: " + llm.getMessage());
    }
    return ApiException.from(e);
  }

  private ZoneId zone() {
    return deps.zone();
  }
}
