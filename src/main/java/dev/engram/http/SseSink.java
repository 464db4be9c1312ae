package dev.engram.http;

import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.agent.StepEvent;
import dev.engram.kernel.ApiException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Writes a run as Server-Sent Events: {@code data: {event}} per event, then {@code data: [DONE]}. Headers go out when
 * the agent accepts the run, so a request refused before that (unknown agent, no LLM) still gets a plain JSON error.
 * After that, a failure (e.g. the LLM failing on the first step) becomes {@code data: {"error": ...}} before
 * {@code [DONE]}.
 */
final class SseSink implements RunRelay.Sink {
  private static final long KEEP_ALIVE_MS = 15_000;

  private final RoutingContext ctx;
  private final HttpServerResponse response;
  private long keepAlive = -1;

  SseSink(RoutingContext ctx) {
    this.ctx = ctx;
    this.response = ctx.response();
  }

  @Override
  public void started() {
    open();
    if (!response.closed() && !response.ended()) {
      response.writeHead();
    }
  }

  @Override
  public void event(StepEvent event) {
    write(event.toJson().encode());
  }

  @Override
  public void events(List<StepEvent> events) {
    if (response.closed() || response.ended()) {
      return;
    }
    open();
    StringBuilder frames = new StringBuilder(256 * events.size());
    for (StepEvent e : events) {
      frames.append("data: ").append(e.toJson().encode()).append("\n\n");
    }
    response.write(frames.toString());
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

  private void write(String data) {
    if (response.closed() || response.ended()) {
      return;
    }
    open();
    response.write("data: " + data + "\n\n");
  }

  /** Sets the event-stream headers and starts the keep-alive, once. */
  private void open() {
    if (response.closed() || response.ended()) {
      return;
    }
    if (keepAlive < 0 && !response.headWritten()) {
      response.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
          .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no");
      keepAlive = ctx.vertx().setPeriodic(KEEP_ALIVE_MS, t -> {
        if (!response.closed() && !response.ended()) {
          response.write(": keep-alive\n\n");
        }
      });
    }
  }

  /** Writes the last frames and ends the response in one go. */
  private void finish(String lastFrames) {
    if (!response.closed() && !response.ended()) {
      open();
      response.end(lastFrames);
    }
    cancelTimers();
  }

  void cancelTimers() {
    if (keepAlive >= 0) {
      ctx.vertx().cancelTimer(keepAlive);
    }
  }
}
