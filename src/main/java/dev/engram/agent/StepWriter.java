package dev.engram.agent;

import dev.engram.cluster.Fence;
import dev.engram.kernel.Times;
import dev.engram.model.Message;
import dev.engram.model.Run;
import dev.engram.model.RunProgress;
import dev.engram.model.StepEvent;
import dev.engram.model.ToolCall;
import dev.engram.store.StoreProtocol.RunWrite;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link StepLoop} adds to its agent until it is written (messages in the context or only in the history, a
 * rebuilt system message, the events of the step in progress), and the writes: one transaction each for the new
 * messages, the agent's state and the run's events and row, one after another, each taking what is unsaved when it
 * starts. A step's events are held until the step is written, so that none goes out before its commit (the loop emits
 * them); the first write inserts the run's row unless it was stored before the run started.
 */
final class StepWriter {
  private final AgentRuntime rt;
  private final AgentDeps deps;
  /** The lease the run started under (cluster mode): every write of the run commits only while it is current. */
  private final Fence fence;
  /** The run as it started; its row as a write inserts it is derived from it. */
  private final Run started;
  /** Whether the run's row is stored (it was stored before it started, or a write of this loop inserted it). */
  private boolean rowStored;
  /** The number of events the run has emitted (their seq numbers run from 1). */
  private int emitted;
  /** The seq of the last event written. */
  private int storedSeq;
  /** Events of the current step, released once the step is written. */
  private final List<StepEvent> held = new ArrayList<>();
  private final List<Message> unsaved = new ArrayList<>();
  /** The last write asked for; writes run one after another, each taking what is unsaved when it starts. */
  private Future<Void> writing = Future.succeededFuture();
  private long inputTimer = -1;
  /** Whether a tool changed a block since the system message was built (it is rebuilt after the call's return). */
  private boolean memoryChanged;

  StepWriter(AgentRuntime rt, AgentDeps deps, Fence fence, Run started, boolean rowStored) {
    this.rt = rt;
    this.deps = deps;
    this.fence = fence;
    this.started = started;
    this.rowStored = rowStored;
  }

  /**
   * Writes the input added so far: with the first step's result when the model answers within
   * {@link AgentDeps#inputWriteDelayMs()}, otherwise on its own when that delay ends.
   */
  void saveInput() {
    if (deps.inputWriteDelayMs() > 0) {
      inputTimer = deps.vertx().setTimer(deps.inputWriteDelayMs(), t -> {
        inputTimer = -1;
        save();
      });
    } else if (deps.inputWriteDelayMs() == 0) {
      save();
    } // negative (cluster mode): only with the first step, see AgentVerticle
  }

  /** A run that goes on from steps stored elsewhere numbers its events on from the last stored one. */
  void resumeAfter(int lastSeq) {
    emitted = lastSeq;
    storedSeq = lastSeq;
  }

  /** The number of events the run has emitted. */
  int emitted() {
    return emitted;
  }

  /** The messages not written yet (the summariser adds its summary to them). */
  List<Message> unsaved() {
    return unsaved;
  }

  void addToContext(Message m) {
    rt.context.add(m);
    unsaved.add(m);
  }

  /** Keeps a message in the history without putting it in the context (an answer to a paused call). */
  void addToHistory(Message m) {
    unsaved.add(m);
  }

  void event(String kind, String content, String status, String messageId, Instant at, ToolCall call) {
    held.add(new StepEvent(++emitted, kind, content, status, messageId, at, call));
  }

  /** An event with what its call printed. */
  void event(String kind, String content, String status, String messageId, Instant at, ToolCall call, String stdout,
      String stderr) {
    held.add(new StepEvent(++emitted, kind, content, status, messageId, at, call, stdout, stderr));
  }

  /** The events of the step in progress, for its write; the next step's are held anew. */
  List<StepEvent> takeHeld() {
    List<StepEvent> events = List.copyOf(held);
    held.clear();
    return events;
  }

  /** Drops the events of a step that failed: never stored, so the run's last event is the last one that was. */
  void dropHeld() {
    emitted = storedSeq;
    held.clear();
  }

  /** A tool changed a block: the system message is rebuilt after the call's return. */
  void memoryChanged() {
    memoryChanged = true;
  }

  void rebuildSystemMessageIfChanged(Instant at) {
    if (memoryChanged) {
      rebuildSystemMessage(at);
    }
  }

  void rebuildSystemMessage(Instant at) {
    memoryChanged = false;
    String text = SystemPrompt.compile(Templates.instructions(rt.agent), rt.agent.memory(),
        rt.recallCount + unsaved.size(), rt.archivalCount, at, deps.zone());
    Message system = rt.newMessage(Message.SYSTEM, text, null, List.of(), null, at);
    rt.context.set(0, system);
    unsaved.add(system);
  }

  /** Writes the new messages and the agent's state in one transaction, after any write asked for before. */
  Future<Void> save() {
    return save(List.of(), null, null);
  }

  /**
   * {@link #save()} with the step's {@code events} and where the run stands after it ({@code progress}, null for a
   * write that is not a step's) and, when the run ends with this write, its {@code end}; the write also inserts the
   * run's row if it is not stored yet.
   */
  Future<Void> save(List<StepEvent> events, Run end, RunProgress progress) {
    if (inputTimer >= 0) {
      deps.vertx().cancelTimer(inputTimer);
      inputTimer = -1;
    }
    writing = writing.transform(previous -> write(events, end, progress));
    return writing;
  }

  private Future<Void> write(List<StepEvent> events, Run end, RunProgress progress) {
    Run row = end != null ? end : rowStored ? null : running();
    if (unsaved.isEmpty() && events.isEmpty() && row == null) {
      return Future.succeededFuture();
    }
    List<Message> batch = List.copyOf(unsaved);
    rt.agent = rt.agent.withContext(rt.contextIds(), rt.agent.memoryAlerted(), Times.now());
    return rt.save(deps, rt.agent, batch, new RunWrite(started.id(), events, row, progress), fence).map(v -> {
      if (!events.isEmpty()) {
        storedSeq = events.get(events.size() - 1).seq();
      }
      unsaved.removeAll(batch);
      rt.recallCount += batch.size();
      rowStored = true;
      return null;
    });
  }

  private Run running() {
    Run s = started;
    return Run.open(s.id(), s.agentId(), s.userId(), Run.RUNNING, s.idempotencyKey(), s.request(), s.createdAt());
  }
}
