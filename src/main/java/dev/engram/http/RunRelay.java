package dev.engram.http;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol;
import dev.engram.agent.AgentProtocol.RunEvents;
import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.agent.AgentProtocol.RunMessage;
import dev.engram.agent.AgentProtocol.Step;
import dev.engram.agent.StepEvent;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;

/**
 * Follows one run for a client: listens on the run's address before the send goes to the agent, tells the sink when
 * the agent accepted it, hands it each batch of events, and finishes exactly once: with the run's end, or with the
 * failure of the send before it started. {@link #detach()} stops listening (the client went away or was too slow);
 * the run itself carries on and is stored.
 */
public final class RunRelay {
  public interface Sink {
    /** The agent accepted the run; from now on a failure is reported in-band. */
    void started();

    /** Events that came together (one step's), in order. */
    void events(List<StepEvent> events);

    void done(RunFinished end);

    /** The send failed: before {@link #started()} (a plain error answer) or after it (in-band). */
    void failed(ApiException error);
  }

  private final Vertx vertx;
  private final MessageConsumer<RunMessage> consumer;
  private final Sink sink;
  private boolean finished;
  private long deadline = -1;

  private RunRelay(Vertx vertx, Step step, Sink sink) {
    this.vertx = vertx;
    this.sink = sink;
    this.consumer = vertx.eventBus().consumer(AgentProtocol.runEvents(step.runId()));
    consumer.handler(m -> {
      if (finished) {
        return;
      }
      if (m.body() instanceof RunEvents batch) {
        sink.events(batch.events());
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
    relay.deadline = vertx.setTimer(agents.stepTimeoutMs(), t -> relay.finish(null, new ApiException(
        ErrorKind.TIMEOUT, "The run did not finish within " + agents.stepTimeoutMs() + " ms (STEP_TIMEOUT_MS); it"
            + " goes on, and its messages are stored as each step completes")));
    relay.consumer.completion()
        .compose(v -> agents.step(step))
        .onSuccess(accepted -> {
          if (!relay.finished) {
            sink.started();
          }
        })
        .onFailure(e -> relay.finish(null, ApiException.from(e)));
    return relay;
  }

  public void detach() {
    finished = true;
    stop();
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
    } else if (end.failed()) {
      sink.failed(new ApiException(ErrorKind.ofStatus(end.errorStatus()), end.error()));
    } else {
      sink.done(end);
    }
  }
}
