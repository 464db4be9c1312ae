package dev.engram.http;

import dev.engram.agent.AgentProtocol.RunEvents;
import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.agent.AgentProtocol.RunMessage;
import dev.engram.agent.AgentProtocol;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.model.StepEvent;
import dev.engram.store.RunClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows a run from any point: its stored events after a seq, then its live ones, each exactly once, then its end.
 * It listens on the run's address first and reads the store after, so nothing falls between the two: an event is
 * published only once it is stored, hence either the read finds it or the listener gets it (or both: events are
 * told apart by seq). A run that has ended when it is read is ended from its row (its last events were stored with or
 * before its end). Fragments of a step in progress (token mode) are not replayed: the step's events follow its commit.
 */
public final class RunFollower {
  private final Vertx vertx;
  private final MessageConsumer<RunMessage> consumer;
  private final RunRelay.Sink sink;
  private boolean finished;
  private final List<RunMessage> early = new ArrayList<>();
  private boolean caughtUp;
  private int lastSeq;
  private long deadline = -1;

  private RunFollower(Vertx vertx, String runId, int afterSeq, RunRelay.Sink sink) {
    this.vertx = vertx;
    this.sink = sink;
    this.lastSeq = afterSeq;
    this.consumer = vertx.eventBus().consumer(AgentProtocol.runEvents(runId));
    consumer.handler(m -> {
      if (finished) {
        return;
      }
      if (caughtUp) {
        live(m.body());
      } else {
        early.add(m.body());
      }
    });
  }

  /**
   * Follows {@code runId} (the user's: 404 otherwise, before anything is written) from after {@code afterSeq}; a run
   * still going after {@code timeoutMs} is reported to the sink as a 504 (it goes on).
   */
  public static RunFollower follow(Vertx vertx, RunClient runs, String userId, String runId, int afterSeq,
      RunRelay.Sink sink, long timeoutMs) {
    RunFollower f = new RunFollower(vertx, runId, afterSeq, sink);
    f.deadline = vertx.setTimer(timeoutMs, t -> f.fail(new ApiException(ErrorKind.TIMEOUT, "The run did not finish"
        + " within " + timeoutMs + " ms (STEP_TIMEOUT_MS); it goes on: follow it again from the last event seen")));
    f.consumer.completion().compose(v -> runs.events(userId, runId, afterSeq)).onSuccess(stored -> {
      if (f.finished) {
        return;
      }
      f.sink.started(runId);
      f.events(stored.events());
      if (stored.run().finished()) {
        f.end(RunFinished.of(stored.run()));
        return;
      }
      f.caughtUp = true;
      List<RunMessage> waiting = List.copyOf(f.early);
      f.early.clear();
      waiting.forEach(f::live);
    }).onFailure(e -> f.fail(ApiException.from(e)));
    return f;
  }

  public void detach() {
    finished = true;
    stop();
  }

  private void live(RunMessage message) {
    if (message instanceof RunEvents batch) {
      events(batch.events());
    } else if (message instanceof RunFinished end) {
      end(end);
    }
  }

  /** Hands on the events not handed on yet. */
  private void events(List<StepEvent> events) {
    List<StepEvent> fresh = new ArrayList<>(events.size());
    for (StepEvent e : events) {
      if (e.seq() > lastSeq) {
        fresh.add(e);
        lastSeq = e.seq();
      }
    }
    if (!fresh.isEmpty() && !finished) {
      sink.events(fresh);
    }
  }

  private void end(RunFinished end) {
    if (!finished) {
      finished = true;
      stop();
      sink.ended(end);
    }
  }

  private void fail(ApiException error) {
    if (!finished) {
      finished = true;
      stop();
      sink.failed(error);
    }
  }

  private void stop() {
    consumer.unregister();
    if (deadline >= 0) {
      vertx.cancelTimer(deadline);
      deadline = -1;
    }
  }
}
