package dev.engram.http;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.RunDeltas;
import dev.engram.agent.AgentProtocol.RunEvents;
import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.agent.AgentProtocol.RunMessage;
import dev.engram.agent.AgentProtocol.Step;
import dev.engram.agent.AgentProtocol;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import dev.engram.store.RunClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;

/**
 * Follows one send's run for a client: listens on the run's address before the send goes to the agent, tells the sink
 * when the agent accepted it, hands it the run's fragments and events, and finishes exactly once: with the run's end,
 * or with the failure of the send before it started. A send that repeats an idempotency key is answered with the first
 * run: the relay then follows that one from its first stored event ({@link RunFollower}). {@link #detach()} stops
 * listening (the client went away or was too slow); the run itself carries on and is stored.
 */
public final class RunRelay {
  public interface Sink {
    /** The run {@code runId} started (or, for a repeated send, is being followed); failures now come in-band. */
    void started(String runId);

    /** Fragments of the step in progress (token mode), before the step is stored. */
    default void deltas(List<StepDelta> deltas) {}

    /** Events that came together (one step's), in order. */
    void events(List<StepEvent> events);

    void done(RunFinished end);

    /** The send failed: before {@link #started} (a plain error answer) or after it (in-band). */
    void failed(ApiException error);

    /** The run ended: by default {@link #failed} for a failed run, {@link #done} otherwise. */
    default void ended(RunFinished end) {
      if (end.failed()) {
        failed(new ApiException(ErrorKind.ofStatus(end.errorStatus()), end.error()));
      } else {
        done(end);
      }
    }
  }

  private final Vertx vertx;
  private final MessageConsumer<RunMessage> consumer;
  private final Sink sink;
  private final String runId;
  private boolean started;
  private boolean finished;
  private long deadline = -1;
  private RunFollower follower;

  private RunRelay(Vertx vertx, Step step, Sink sink) {
    this.vertx = vertx;
    this.sink = sink;
    this.consumer = vertx.eventBus().consumer(AgentProtocol.runEvents(step.runId()));
    this.runId = step.runId();
    consumer.handler(m -> {
      if (finished) {
        return;
      }
      start(); // the run's first message may overtake the agent's answer
      if (m.body() instanceof RunEvents batch) {
        sink.events(batch.events());
      } else if (m.body() instanceof RunDeltas batch) {
        sink.deltas(batch.deltas());
      } else if (m.body() instanceof RunFinished end) {
        finish(end, null);
      }
    });
  }

  /**
   * Sends {@code step} and follows its run. A run that has not finished after {@code agents.stepTimeoutMs()} (queue
   * included) is reported to the sink as a 504; the run itself goes on and is stored.
   */
  public static RunRelay start(Vertx vertx, AgentClient agents, Step step, Sink sink) {
    RunRelay relay = new RunRelay(vertx, step, sink);
    relay.deadline = vertx.setTimer(agents.stepTimeoutMs(), t -> relay.finish(null, timedOut(agents)));
    relay.consumer.completion()
        .compose(v -> agents.step(step))
        .onSuccess(accepted -> {
          if (relay.finished) {
            return;
          }
          if (accepted.existing()) {
            relay.stop();
            relay.finished = true;
            relay.follower = RunFollower.follow(vertx, new RunClient(vertx), step.userId(), accepted.runId(), 0,
                sink, agents.stepTimeoutMs());
          } else {
            relay.start();
          }
        })
        .onFailure(e -> relay.finish(null, ApiException.from(e)));
    return relay;
  }

  static ApiException timedOut(AgentClient agents) {
    return new ApiException(ErrorKind.TIMEOUT, "The run did not finish within " + agents.stepTimeoutMs()
        + " ms (STEP_TIMEOUT_MS); it goes on, and its messages are stored as each step completes");
  }

  private void start() {
    if (!started) {
      started = true;
      sink.started(runId);
    }
  }

  public void detach() {
    finished = true;
    stop();
    if (follower != null) {
      follower.detach();
    }
  }

  private void stop() {
    consumer.unregister();
    if (deadline >= 0) {
      vertx.cancelTimer(deadline);
    }
  }

  private void finish(RunFinished end, ApiException failure) {
    if (finished) {
      return;
    }
    finished = true;
    stop();
    if (failure != null) {
      sink.failed(failure);
    } else {
      sink.ended(end);
    }
  }
}
