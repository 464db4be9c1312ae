package dev.engram.agent;

import static dev.engram.agent.AgentProtocol.runEvents;

import dev.engram.agent.AgentProtocol.*;
import dev.engram.cluster.Fence;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.llm.LlmReply;
import dev.engram.model.Run;
import dev.engram.observe.Trace;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import dev.engram.store.RunClient;
import dev.engram.store.RunProtocol.Claimed;
import dev.engram.store.RunProtocol.Resumable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs of one shard, from the send to their end: each waits its turn in its thread's mailbox (the agent's own
 * thread, or a conversation's), so that the sends of one thread run one after another in arrival order while threads
 * run concurrently; it runs as a {@link StepLoop}, and can be cancelled while it waits or runs.
 */
final class RunService {
  static final String NO_LLM = "No LLM is configured: set OPENAI_BASE_URL to an OpenAI-compatible endpoint (and"
      + " OPENAI_API_KEY if it needs one), then restart the server";

  /**
   * The stop reason a run is counted under when it could not start (unknown agent, no model, a message too long) or
   * its end could not be written.
   */
  private static final String REFUSED_OR_FAILED = "not_run";

  private static final Logger LOG = LoggerFactory.getLogger(RunService.class);

  private final AgentDeps deps;
  private final Runtimes runtimes;
  private final boolean llmConfigured;
  private final RunClient runs;
  /**
   * Cluster mode: every send is stored before it is accepted (not only async sends and those with an idempotency
   * key), so that a node taking the agent over finds it and runs it if its first owner stopped.
   */
  private final boolean storeAll;
  /** Runs this shard has taken and not finished (queued or running), by id: what a cancel can reach. */
  private final Map<String, RunControl> live = new HashMap<>();

  RunService(AgentDeps deps, Runtimes runtimes, boolean llmConfigured, RunClient runs, boolean storeAll) {
    this.deps = deps;
    this.runtimes = runtimes;
    this.llmConfigured = llmConfigured;
    this.runs = runs;
    this.storeAll = storeAll;
  }

  /**
   * Takes a send. A plain send waits in its thread's mailbox and is answered when its run starts (or fails if it
   * cannot: unknown agent or conversation, no model, a message too long); its row is stored with its first write. A
   * send stored first (async, or with an idempotency key) is stored at once, before anything else, and keeps its place
   * in the mailbox meanwhile: a repeated key is answered with the first run and nothing runs; an async send is
   * answered as soon as it is stored. From the start on, the run's address receives its events as each step is stored
   * and always a last {@link RunFinished}, once the run's end is stored. The mailbox stays busy until the run has
   * finished.
   */
  Future<RunAccepted> step(Step req) {
    Trace.run(req.runId());
    RunControl control = new RunControl(req.runId(), req.agentId(), req.conversationId(), req.userId());
    Promise<RunAccepted> accepted = Promise.promise();
    Instant now = Times.now();
    if (!req.storedFirst() && !storeAll) {
      live.put(req.runId(), control);
      Run run = Run.open(req.runId(), req.agentId(), req.userId(), Run.RUNNING, null, req.request(), now);
      runtimes.mailbox.submit(threadKey(req), () -> execute(req, control, run, false, accepted, Fence.NONE, null));
      return accepted.future();
    }
    Run queued = Run.open(req.runId(), req.agentId(), req.userId(), Run.CREATED, req.idempotencyKey(),
        req.request(), now);
    // what the run would be refused for when it starts is refused before it is stored
    Future<Claimed> claim = runtimes.peek(req.userId(), req.agentId(), req.conversationId()).compose(rt -> {
      if (!llmConfigured) {
        return Future.failedFuture(new ApiException(ErrorKind.UNAVAILABLE, NO_LLM));
      }
      ContextBudget.refuseOversized(rt, deps, req);
      PausedCalls.check(rt, req.request());
      return runs.claim(queued);
    });
    enqueue(req, control, claim, accepted);
    return accepted.future();
  }

  private static String threadKey(Step req) {
    return AgentRuntime.threadKey(req.agentId(), req.conversationId());
  }

  /** Runs that a previous process stored and did not start: each joins its thread's mailbox, oldest first. */
  void resume(List<Run> queued) {
    resume(queued, List.of());
  }

  /**
   * The runs a node that stopped left in a shard taken over (cluster mode): those it had not stored a step of run from
   * their stored input, those it had go on from their last stored step ({@link Resumable}); each joins its thread's
   * mailbox, all oldest first (a run that had started came before those still queued behind it).
   */
  void resume(List<Run> queued, List<Resumable> resumed) {
    List<Left> all = new ArrayList<>();
    queued.forEach(run -> all.add(new Left(run, null)));
    resumed.forEach(r -> all.add(new Left(r.run(), r)));
    all.sort(Comparator.comparing((Left left) -> left.run().id()));
    for (Left left : all) {
      Run run = left.run();
      Step req = new Step(run.id(), run.userId(), run.agentId(), run.request(), run.idempotencyKey(), true);
      RunControl control = new RunControl(run.id(), run.agentId(), run.conversationId(), run.userId());
      if (left.from() == null) {
        enqueue(req, control, Future.succeededFuture(new Claimed(run, false)), Promise.promise());
      } else {
        // still running in the database: it is not queued (a cancel stops it at its next step), and nothing starts it
        live.put(run.id(), control);
        runtimes.mailbox.submit(threadKey(req), () -> execute(req, control, run, true, Promise.promise(),
            deps.fence(run.agentId()), left.from()));
      }
    }
  }

  /** A run left by a node that stopped: to run from its input ({@code from} null), or to go on from a stored step. */
  private record Left(Run run, Resumable from) {}

  /**
   * Queues a run stored before it starts ({@code claim}: stored, or a repeat of an earlier run). When its turn
   * comes it moves from created to running in the database first, so that a restart never runs it twice; a run
   * cancelled while it waited does not start.
   */
  private void enqueue(Step req, RunControl control, Future<Claimed> claim, Promise<RunAccepted> accepted) {
    control.queued = true;
    live.put(req.runId(), control);
    claim.onComplete(ar -> {
      if (ar.failed() || ar.result().existing()) {
        live.remove(req.runId(), control);
      }
      if (ar.failed()) {
        accepted.tryFail(ar.cause());
      } else if (ar.result().existing() || req.async()) {
        accepted.tryComplete(new RunAccepted(ar.result().run(), ar.result().existing()));
      }
    });
    runtimes.mailbox.submit(threadKey(req), () -> claim.compose(claimed -> {
      if (claimed.existing()) {
        return Future.succeededFuture();
      }
      // the run's writes are made under the lease it started under, even if this node takes the agent again later
      // (a node that lost the lease meanwhile must not commit a run its new owner may have run again)
      Fence fence = deps.fence(req.agentId());
      return runs.start(req.runId(), fence).compose(started -> {
        control.queued = false;
        if (!started) {
          live.remove(req.runId(), control);
          return Future.succeededFuture(); // cancelled while it waited: its end is stored and announced
        }
        Run c = claimed.run();
        Run running = Run.open(c.id(), c.agentId(), c.userId(), Run.RUNNING, c.idempotencyKey(), c.request(),
            c.createdAt());
        return execute(req, control, running, true, accepted, fence, null);
      });
    }));
  }

  /**
   * Runs a send whose turn has come ({@code from}: from its last stored step, null: from its input); completes when
   * the run has ended and its end is announced.
   */
  private Future<Void> execute(Step req, RunControl control, Run run, boolean rowStored,
      Promise<RunAccepted> accepted, Fence fence, Resumable from) {
    RunOutbox outbox = new RunOutbox(req.runId());
    long started = System.nanoTime();
    // carries the request id of the send (Trace): the link from an access-log line to the step's own lines
    LOG.debug("run {} of agent {} starts", req.runId(), req.agentId());
    return runtimes.thread(req.userId(), req.agentId(), req.conversationId()).compose(rt -> {
      if (!llmConfigured) {
        return Future.failedFuture(new ApiException(ErrorKind.UNAVAILABLE, NO_LLM));
      }
      if (from != null) {
        // its input was taken (and its paused calls answered) by the steps stored
        return new StepLoop(rt, req, deps, outbox::event, outbox::delta, control, run, true, fence).resume(from);
      }
      ContextBudget.refuseOversized(rt, deps, req);
      PausedCalls.check(rt, req.request());
      accepted.tryComplete(new RunAccepted(run, false));
      return new StepLoop(rt, req, deps, outbox::event, outbox::delta, control, run, rowStored, fence).run();
    }).transform(ar -> {
      live.remove(req.runId(), control);
      deps.metrics().runEnded(ar.succeeded() ? ar.result().stopReason() : REFUSED_OR_FAILED,
          System.nanoTime() - started);
      if (ar.succeeded()) {
        outbox.flush();
        outbox.publish(RunFinished.of(ar.result()));
        return Future.succeededFuture();
      }
      ApiException e = ApiException.from(ar.cause());
      if (Fence.refused(req.agentId()).equals(e.getMessage())) {
        // this node lost the agent's lease mid-run: nothing of the run was committed since, and its new owner
        // settles it (runs it again when no step was stored)
        LOG.warn("run {} of agent {} stopped: the agent's lease was taken over", req.runId(), req.agentId());
        return Future.succeededFuture();
      }
      boolean refused = accepted.tryFail(e);
      if (refused && !rowStored) {
        return Future.succeededFuture(); // the client was told; nothing was stored
      }
      // a stored run that could not start (its client may be gone: the row says why), or a run whose end could not
      // be written: tell whoever follows it
      return runs.fail(req.runId(), e.status(), e.getMessage()).transform(v -> {
        outbox.flush();
        outbox.publish(new RunFinished(null, 0, e.status(), e.getMessage(), Run.FAILED, Run.STOP_ERROR, 0));
        return Future.succeededFuture();
      });
    });
  }

  /**
   * Cancels runs of an agent (all its threads', or one conversation's): a queued one does not start (one stored first
   * is cancelled in the database at once), a running one stops at its next step boundary with stop reason
   * {@code cancelled}. Runs named that are not queued or running here answer {@code not_found} or the status they
   * ended with.
   */
  Future<Cancelled> cancel(CancelRuns req) {
    return runtimes.owner(req.userId(), req.agentId(), req.conversationId()).compose(v -> {
      List<String> ids = new ArrayList<>(req.runIds());
      if (ids.isEmpty()) {
        live.values().stream().filter(c -> inScope(c, req)).forEach(c -> ids.add(c.runId));
      }
      Map<String, String> results = new LinkedHashMap<>();
      List<Future<?>> pending = new ArrayList<>();
      for (String id : ids) {
        RunControl control = live.get(id);
        if (control != null && inScope(control, req)) {
          pending.add(cancel(control));
          results.put(id, Run.CANCELLED);
        } else {
          results.put(id, "not_found");
          pending.add(runs.get(req.userId(), id).onSuccess(run -> {
            if (run.agentId().equals(req.agentId())
                && (req.conversationId() == null || req.conversationId().equals(run.conversationId()))) {
              results.put(id, run.status());
            }
          }));
        }
      }
      return Future.join(pending).transform(done -> Future.succeededFuture(new Cancelled(results)));
    });
  }

  /** Whether any run of an agent that {@code agents} matches is queued or running here. */
  boolean busy(java.util.function.Predicate<String> agents) {
    return live.values().stream().anyMatch(c -> agents.test(c.agentId));
  }

  /** Tells the followers of runs ended by a takeover ({@link dev.engram.store.RunProtocol.TakeOver}) how they ended. */
  void endedByTakeOver(List<Run> ended) {
    for (Run run : ended) {
      new RunOutbox(run.id()).publish(RunFinished.of(run));
    }
  }

  private static boolean inScope(RunControl control, CancelRuns req) {
    return control.agentId.equals(req.agentId())
        && (req.conversationId() == null || req.conversationId().equals(control.conversationId));
  }

  /** Cancels every queued and running run of one conversation of an agent, or of all its threads (null). */
  void cancelAll(String agentId, String conversationId) {
    for (RunControl control : List.copyOf(live.values())) {
      if (control.agentId.equals(agentId)
          && (conversationId == null || Objects.equals(conversationId, control.conversationId))) {
        cancel(control);
      }
    }
  }

  private Future<?> cancel(RunControl control) {
    control.cancel();
    if (!control.queued) {
      return Future.succeededFuture();
    }
    return runs.cancelQueued(control.runId).onSuccess(changed -> {
      if (changed) {
        live.remove(control.runId, control);
        new RunOutbox(control.runId).publish(new RunFinished(LlmReply.Usage.NONE, 0, 0, null, Run.CANCELLED,
            Run.STOP_CANCELLED, 0));
      }
    });
  }

  /**
   * Where a run's messages go, published to whoever follows it. What arrives in one event-loop turn is gathered and
   * sent at the end of the turn (a step emits several events at once), in order, as {@link RunDeltas} and
   * {@link RunEvents}; {@link #flush} sends what waits at once, before the run's last message.
   */
  private final class RunOutbox {
    private final String address;
    private final List<Object> pending = new ArrayList<>();

    RunOutbox(String runId) {
      this.address = runEvents(runId);
    }

    void event(StepEvent e) {
      add(e);
    }

    void delta(StepDelta d) {
      add(d);
    }

    private void add(Object item) {
      if (pending.isEmpty()) {
        deps.vertx().getOrCreateContext().runOnContext(v -> flush());
      }
      pending.add(item);
    }

    void flush() {
      int i = 0;
      while (i < pending.size()) {
        boolean events = pending.get(i) instanceof StepEvent;
        int j = i;
        while (j < pending.size() && pending.get(j) instanceof StepEvent == events) {
          j++;
        }
        List<Object> run = pending.subList(i, j);
        publish(events ? new RunEvents(run.stream().map(StepEvent.class::cast).toList())
            : new RunDeltas(run.stream().map(StepDelta.class::cast).toList()));
        i = j;
      }
      pending.clear();
    }

    void publish(RunMessage message) {
      deps.vertx().eventBus().publish(address, message);
    }
  }
}
