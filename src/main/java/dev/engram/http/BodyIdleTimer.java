package dev.engram.http;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Bounds how long a request body may stall: when no byte of it has arrived for {@code BODY_READ_TIMEOUT_MS}, the
 * request is answered 408 (or, if it was already answered and its rest is being discarded, its connection is closed).
 * It times only the receiving of the body, so a response may take as long as it needs (a send that waits minutes for
 * the model, an SSE stream, a WebSocket): unlike a connection idle timeout, it stops watching once the body has ended.
 */
final class BodyIdleTimer {
  private static final String KEY = "engram.bodyIdleTimer";

  private final RoutingContext ctx;
  private final long idleMs;
  private long lastBytes;
  /** Consecutive checks that found no new byte. */
  private int idleChecks;
  private long timerId;

  private BodyIdleTimer(RoutingContext ctx, long idleMs) {
    this.ctx = ctx;
    this.idleMs = idleMs;
  }

  /** Watches the body of {@code ctx}'s request, if it declares one. */
  static void watch(RoutingContext ctx, long idleMs) {
    if (!RequestBodies.declaresBody(ctx.request())) {
      return;
    }
    BodyIdleTimer timer = new BodyIdleTimer(ctx, idleMs);
    // checked every idleMs / 2; two checks in a row without a new byte answer, so a stalled body is answered between
    // idleMs and 1.5 x idleMs after its last byte
    timer.timerId = ctx.vertx().setPeriodic(Math.max(1, idleMs / 2), id -> timer.check());
    ctx.put(KEY, timer);
  }

  /**
   * Route handler after the body reading: a body already read needs no timer (otherwise the timer would live on until
   * its first check finds the body ended). An upload, still unread here, stays watched.
   */
  static void stopOnceRead(RoutingContext ctx) {
    BodyIdleTimer timer = ctx.get(KEY);
    if (timer != null && ctx.request().isEnded()) {
      ctx.vertx().cancelTimer(timer.timerId);
    }
    ctx.next();
  }

  private void check() {
    HttpServerRequest request = ctx.request();
    if (request.isEnded() || ctx.response().closed()) {
      ctx.vertx().cancelTimer(timerId);
      return;
    }
    long bytes = request.bytesRead();
    if (bytes != lastBytes) {
      lastBytes = bytes;
      idleChecks = 0;
      return;
    }
    if (++idleChecks < 2) {
      return;
    }
    ctx.vertx().cancelTimer(timerId);
    if (ctx.response().ended()) {
      UnreadBody.close(request);
    } else {
      ctx.fail(new ApiException(ErrorKind.REQUEST_TIMEOUT, "The request body stopped arriving: no byte of it came for "
          + idleMs + " ms (BODY_READ_TIMEOUT_MS)"));
    }
  }
}
