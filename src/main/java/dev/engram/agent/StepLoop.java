package dev.engram.agent;

import dev.engram.agent.AgentProtocol.Step;
import dev.engram.llm.LlmException;
import dev.engram.llm.LlmReply;
import dev.engram.llm.LlmRequest;
import dev.engram.agent.tool.ToolContext;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.store.ArchivalProtocol.Found;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import dev.engram.store.StoreProtocol.Messages;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One send to an agent: the model is called step after step (inner monologue, one function call, its result) until it
 * stops asking for heartbeats or the chaining cap is reached. Each step's messages and the agent's state are written in
 * one transaction before the next step starts, and a step's events go out only once it is written, so a client never
 * sees what a crash could take back. The input is written with the first step's result when the model answers within
 * {@link AgentDeps#inputWriteDelayMs()} (one commit instead of two), otherwise on its own when that delay ends, and in
 * any case before a failure is reported.
 */
final class StepLoop implements ToolContext {
  private static final Logger LOG = LoggerFactory.getLogger(StepLoop.class);
  static final double WARNING_FRACTION = 0.75;

  private final AgentRuntime rt;
  private final Step request;
  private final AgentDeps deps;
  private final Consumer<StepEvent> emit;
  /** The number of events the run has emitted (their seq numbers run from 1). */
  private int emitted;
  /** Events of the current step, released once the step is written. */
  private final List<StepEvent> held = new ArrayList<>();
  private final List<Message> unsaved = new ArrayList<>();
  /** The last write asked for; writes run one after another, each taking what is unsaved when it starts. */
  private Future<Void> writing = Future.succeededFuture();
  private long inputTimer = -1;
  private int prompt;
  private int completion;
  private int total;
  private int steps;
  private boolean memoryChanged;
  private Message currentAssistant;

  StepLoop(AgentRuntime rt, Step request, AgentDeps deps, Consumer<StepEvent> emit) {
    this.rt = rt;
    this.request = request;
    this.deps = deps;
    this.emit = emit;
  }

  /** What a finished run used: the summed usage of its model calls and the number of steps. */
  record Totals(LlmReply.Usage usage, int steps) {}

  Future<Totals> run() {
    Instant now = Times.now();
    addToContext(rt.newMessage(Message.USER, ContextBudget.envelope(request, now, zone()), null, List.of(), null,
        now));
    if (deps.inputWriteDelayMs() > 0) {
      inputTimer = deps.vertx().setTimer(deps.inputWriteDelayMs(), t -> {
        inputTimer = -1;
        save();
      });
    } else {
      save();
    }
    return step()
        .map(v -> new Totals(usage(), steps))
        .recover(failure -> save().transform(saved -> Future.failedFuture(failure)));
  }

  private Future<Void> step() {
    return fitContext().compose(v -> complete()).compose(this::handle).compose(outcome -> save().compose(v -> {
      held.forEach(emit);
      held.clear();
      steps++;
      StepDecision decision = StepDecision.after(steps, deps.maxChainingSteps(), outcome.memoryWarning,
          outcome.failed, outcome.heartbeat);
      if (!decision.proceed()) {
        if (decision.reason() == StepDecision.Reason.MAX_STEPS) {
          LOG.info("agentId={} stopped after {} chained steps", rt.agent.id(), steps);
        }
        return Future.succeededFuture();
      }
      Instant now = Times.now();
      String input = switch (decision.reason()) {
        case MEMORY_PRESSURE -> Inputs.systemAlert(Inputs.MEMORY_WARNING, now, zone());
        case FUNCTION_FAILED -> Inputs.heartbeat(Inputs.HEARTBEAT_FAILED, now, zone());
        default -> Inputs.heartbeat(Inputs.HEARTBEAT_REQUESTED, now, zone());
      };
      addToContext(rt.newMessage(Message.USER, input, null, List.of(), null, now));
      return step();
    }));
  }

  /** A chained step sees the blocks another writer changed meanwhile (the run's first step gets them fresh anyway). */
  private Future<Void> freshMemory() {
    return BlockSync.reload(rt, deps).map(changed -> {
      if (changed) {
        rebuildSystemMessage(Times.now());
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
    return deps.summarizer().summarize(rt, ContextBudget.messages(rt, deps), zone(), unsaved).map(u -> {
      count(u);
      return null;
    });
  }

  private Future<LlmReply> complete() {
    return deps.llm().complete(llmRequest()).recover(e -> {
      if (e instanceof LlmException llm && llm.kind() == LlmException.Kind.CONTEXT_OVERFLOW) {
        return summarize().compose(v -> deps.llm().complete(llmRequest()));
      }
      return Future.failedFuture(e);
    }).recover(e -> Future.failedFuture(llmFailure(e)));
  }

  private LlmRequest llmRequest() {
    return new LlmRequest(rt.agent.model(), rt.context, deps.tools().schemas(rt.agent.tools()), rt.agent.userId());
  }

  private record Outcome(boolean heartbeat, boolean failed, boolean memoryWarning) {}

  private Future<Outcome> handle(LlmReply reply) {
    count(reply.usage());
    boolean warning = memoryPressure(reply);
    Instant now = Times.now();
    List<ToolCall> calls = reply.toolCalls().isEmpty() ? List.of() : List.of(withId(reply.toolCalls().get(0)));
    Message assistant = rt.newMessage(Message.ASSISTANT, reply.content(), null, calls, null, now);
    addToContext(assistant);
    currentAssistant = assistant;
    event(StepEvent.MONOLOGUE, reply.content(), null, assistant.id(), now, null);
    if (calls.isEmpty()) {
      return Future.succeededFuture(new Outcome(false, false, warning));
    }
    ToolCall call = calls.get(0);
    event(StepEvent.FUNCTION_CALL, null, null, assistant.id(), now, call);
    return deps.tools().invoke(this, rt.agent.tools(), call.name(), call.arguments()).map(result -> {
      Instant done = Times.now();
      String packaged = Inputs.toolResult(result.ok(), result.output(), done, zone());
      Message tool = rt.newMessage(Message.TOOL, packaged, call.name(), List.of(), call.id(), done);
      addToContext(tool);
      event(StepEvent.FUNCTION_RETURN, result.output(), result.ok() ? "success" : "error", tool.id(), done, call);
      if (memoryChanged) {
        rebuildSystemMessage(done);
      }
      return new Outcome(result.heartbeat(), !result.ok(), warning);
    });
  }

  private boolean memoryPressure(LlmReply reply) {
    int used = Math.max(reply.usage().totalTokens(), promptTokens());
    if (used > WARNING_FRACTION * rt.agent.contextWindow() && !rt.agent.memoryAlerted()) {
      rt.agent = rt.agent.withContext(rt.agent.inContextIds(), true, rt.agent.lastRunAt());
      return true;
    }
    return false;
  }

  private void rebuildSystemMessage(Instant at) {
    memoryChanged = false;
    String text = SystemPrompt.compile(Templates.instructions(rt.agent), rt.agent.memory(),
        rt.recallCount + unsaved.size(), rt.archivalCount, at, zone());
    Message system = rt.newMessage(Message.SYSTEM, text, null, List.of(), null, at);
    rt.context.set(0, system);
    unsaved.add(system);
  }

  private void addToContext(Message m) {
    rt.context.add(m);
    unsaved.add(m);
  }

  /** Writes the new messages and the agent's state in one transaction, after any write asked for before. */
  private Future<Void> save() {
    if (inputTimer >= 0) {
      deps.vertx().cancelTimer(inputTimer);
      inputTimer = -1;
    }
    writing = writing.transform(previous -> write());
    return writing;
  }

  private Future<Void> write() {
    if (unsaved.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Message> batch = List.copyOf(unsaved);
    rt.agent = rt.agent.withContext(rt.contextIds(), rt.agent.memoryAlerted(), Times.now());
    return rt.save(deps, rt.agent, batch).map(v -> {
      unsaved.removeAll(batch);
      rt.recallCount += batch.size();
      return null;
    });
  }

  private void event(String kind, String content, String status, String messageId, Instant at, ToolCall call) {
    held.add(new StepEvent(++emitted, kind, content, status, messageId, at, call));
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
    return BlockEdits.apply(deps.blocks(), rt.agent.userId(), block, change, true).map(written -> {
      rt.agent = rt.agent.withMemory(rt.agent.memory().with(written));
      memoryChanged = true;
      return null;
    });
  }

  @Override
  public void say(String message) {
    event(StepEvent.ASSISTANT, message, null, currentAssistant.id(), Times.now(), null);
  }

  @Override
  public Future<Messages> searchRecall(String query, Instant from, Instant to, int offset, int limit) {
    return save().compose(v -> deps.store().searchMessages(rt.agent.id(), query, from, to, offset, limit));
  }

  @Override
  public Future<List<String>> insertArchival(String content) {
    return deps.archival().insert(rt.agent.userId(), rt.agent.id(), content, Map.of()).map(ids -> {
      rt.archivalCount += ids.size();
      return ids;
    });
  }

  @Override
  public Future<List<Found>> searchArchival(String query) {
    return deps.archival().search(rt.agent.userId(), rt.agent.id(), query, SearchMode.HYBRID,
        ArchivalMemory.SEARCH_DEPTH);
  }

  @Override
  public ZoneId zone() {
    return deps.zone();
  }
}
