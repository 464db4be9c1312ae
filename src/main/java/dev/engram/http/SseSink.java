package dev.engram.http;

import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.model.StepEvent;
import dev.engram.kernel.ApiException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Function;

/**
 * Writes a run as Server-Sent Events: {@code data: {event}} per event (rendered by {@code render}), then
 * {@code data: [DONE]}. Headers go out when the agent accepts the run, so a request refused before that (unknown
 * agent, no LLM) still gets a plain JSON error. After that, a failure (e.g. the LLM failing on the first step) becomes
 * {@code data: {"error": ...}} before {@code [DONE]}. A client that stops reading is dropped (see
 * {@link SlowClientGuard}); the run goes on without it.
 */
public final class SseSink implements RunRelay.Sink {
  private static final long KEEP_ALIVE_MS = 15_000;

  private final RoutingContext ctx;
  private final HttpServerResponse response;
  private final Function<StepEvent, JsonObject> render;
  private final SlowClientGuard guard;
  private Runnable onDrop = () -> {};
  private long keepAlive = -1;

  public SseSink(RoutingContext ctx, Function<StepEvent, JsonObject> render) {
    this.ctx = ctx;
    this.response = ctx.response();
    this.render = render;
    this.guard = new SlowClientGuard();
  }

  /** What to do when the client is dropped for not reading (stop following the run). */
  public SseSink onDrop(Runnable action) {
    this.onDrop = action;
    return this;
  }

  @Override
  public void started(String runId) {
    if (open()) {
      response.writeHead();
    }
  }

  @Override
  public void events(List<StepEvent> events) {
    if (!open()) {
      return;
    }
    StringBuilder frames = new StringBuilder(256 * events.size());
    for (StepEvent e : events) {
      frames.append("data: ").append(render.apply(e).encode()).append("\n\n");
    }
    String data = frames.toString();
    if (!guard.write(data.length(), () -> response.write(data))) {
      cancelTimers();
      response.reset();
      onDrop.run();
    }
  }

  @Override
  public void done(RunFinished end) {
    finish("data: [DONE]\n\n");
  }

  @Override
  public void failed(ApiException error) {
    if (!response.headWritten()) {
      FailureHandler.send(ctx, error);
      return;
    }
    finish("data: " + new JsonObject().put("error", error.getMessage()).put("status", error.status()).encode()
        + "\n\ndata: [DONE]\n\n");
  }

  /** Sets the event-stream headers and starts the keep-alive, once; false when the response is gone. */
  private boolean open() {
    if (response.closed() || response.ended()) {
      return false;
    }
    if (keepAlive < 0 && !response.headWritten()) {
      response.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
          .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no");
      OpenStreams.sse(ctx);
      keepAlive = ctx.vertx().setPeriodic(KEEP_ALIVE_MS, t -> {
        if (!response.closed() && !response.ended()) {
          response.write(": keep-alive\n\n");
        }
      });
    }
    return true;
  }

  /** Writes the last frames and ends the response in one go. */
  private void finish(String lastFrames) {
    if (open()) {
      response.end(lastFrames);
    }
    cancelTimers();
  }

  public void cancelTimers() {
    if (keepAlive >= 0) {
      ctx.vertx().cancelTimer(keepAlive);
      keepAlive = -1;
    }
  }
}
