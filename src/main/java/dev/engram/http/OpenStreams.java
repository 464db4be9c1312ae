package dev.engram.http;

import dev.engram.observe.EngramMetrics;
import io.vertx.ext.web.RoutingContext;

/** Counts a response as an open event stream ({@code engram_http_streams_active{kind="sse"}}) until it ends or drops. */
public final class OpenStreams {
  private OpenStreams() {}

  /** Call once, when the stream's head is written. */
  public static void sse(RoutingContext ctx) {
    var open = EngramMetrics.of(ctx.vertx()).sseStreams();
    open.incrementAndGet();
    ctx.addEndHandler(ended -> open.decrementAndGet());
  }
}
