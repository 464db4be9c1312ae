package dev.engram.http.letta;

import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.http.Responses;
import dev.engram.http.RunRelay;
import dev.engram.kernel.ApiException;
import dev.engram.model.StepEvent;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking send on /v1: gathers the run's events and answers once with a {@code LettaResponse}; a run that failed
 * (before or after it started) answers its error, status and detail, as a plain JSON error.
 */
final class LettaCollected implements RunRelay.Sink {
  private final RoutingContext ctx;
  private final LettaView view;
  private final List<StepEvent> events = new ArrayList<>();
  private String runId;

  LettaCollected(RoutingContext ctx, LettaView view) {
    this.ctx = ctx;
    this.view = view;
  }

  @Override
  public void started(String runId) {
    this.runId = runId;
  }

  @Override
  public void events(List<StepEvent> batch) {
    events.addAll(batch);
  }

  @Override
  public void done(RunFinished end) {
    if (!ctx.response().closed()) {
      Responses.json(ctx, 200, LettaResponses.response(events, end, runId, view));
    }
  }

  @Override
  public void failed(ApiException error) {
    if (!ctx.response().closed()) {
      ctx.fail(error);
    }
  }
}
