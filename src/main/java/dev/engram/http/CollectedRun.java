package dev.engram.http;

import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.model.StepEvent;
import dev.engram.kernel.ApiException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A blocking send: gathers the run's events and answers once, with {@code render(events, end)} when the run
 * succeeds, or with the error (status and detail) when it fails, before or after it started.
 */
public final class CollectedRun implements RunRelay.Sink {
  private final RoutingContext ctx;
  private final BiFunction<List<StepEvent>, RunFinished, JsonObject> render;
  private final List<StepEvent> events = new ArrayList<>();

  public CollectedRun(RoutingContext ctx, BiFunction<List<StepEvent>, RunFinished, JsonObject> render) {
    this.ctx = ctx;
    this.render = render;
  }

  @Override
  public void started(String runId) {}

  @Override
  public void events(List<StepEvent> batch) {
    events.addAll(batch);
  }

  @Override
  public void done(RunFinished end) {
    if (!ctx.response().closed()) {
      Responses.json(ctx, 200, render.apply(events, end));
    }
  }

  @Override
  public void failed(ApiException error) {
    if (!ctx.response().closed()) {
      ctx.fail(error);
    }
  }
}
