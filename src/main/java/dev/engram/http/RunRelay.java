package dev.engram.http;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol;
import dev.engram.agent.AgentProtocol.RunEvents;
import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.agent.AgentProtocol.RunStarted;
import dev.engram.agent.AgentProtocol.Step;
import dev.engram.agent.StepEvent;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;

/**
 * Follows one run for a streaming client: listens on the run's event address before the step is sent, hands each
 * event to the sink, and finishes exactly once, with the run's end or with the failure of the step request.
 * {@link #detach()} stops listening (the client went away); the run itself carries on and is stored.
 */
final class RunRelay {
  interface Sink {
    /** The agent accepted the run; from now on a failure is reported in-band. */
    default void started() {}

    void event(StepEvent event);

    /** Several events that came together (one step's); a sink may send them in one write. */
    default void events(List<StepEvent> events) {
      events.forEach(this::event);
    }

    void done(RunFinished end);

    void failed(ApiException error);
  }

  private final MessageConsumer<Record> consumer;
  private final Sink sink;
  private boolean finished;

  private RunRelay(Vertx vertx, Step step, Sink sink) {
    this.sink = sink;
    this.consumer = vertx.eventBus().consumer(AgentProtocol.runEvents(step.runId()));
    consumer.handler(m -> {
      if (m.body() instanceof RunStarted) {
        if (!finished) {
          sink.started();
        }
      } else if (m.body() instanceof StepEvent e) {
        if (!finished) {
          sink.event(e);
        }
      } else if (m.body() instanceof RunEvents batch) {
        if (!finished) {
          sink.events(batch.events());
        }
      } else if (m.body() instanceof RunFinished end) {
        finish(end, null);
      }
    });
  }

  static RunRelay start(Vertx vertx, AgentClient agents, Step step, Sink sink) {
    RunRelay relay = new RunRelay(vertx, step, sink);
    relay.consumer.completion()
        .compose(v -> agents.step(step))
        .onFailure(e -> relay.finish(null, ApiException.from(e)));
    return relay;
  }

  void detach() {
    finished = true;
    consumer.unregister();
  }

  private void finish(RunFinished end, ApiException failure) {
    if (finished) {
      return;
    }
    finished = true;
    consumer.unregister();
    if (failure != null) {
      sink.failed(failure);
    } else if (end.error() != null) {
      sink.failed(new ApiException(ErrorKind.ofStatus(end.errorStatus()), end.error()));
    } else {
      sink.done(end);
    }
  }
}
