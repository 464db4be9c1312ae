package dev.engram.http;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Bounds how long a request body may stall: when no byte of it has arrived for {@code BODY_READ_TIMEOUT_MS}, the
 * request is answered 408 (or, if it was already answered and its rest is being discarded, its connection is closed).
 * It times only the receiving of the body, so a response may take as long as it needs (a send that waits minutes for
 * the model, an SSE stream, a WebSocket): unlike a connection idle timeout, it stops watching once the body has ended.
 */
final class BodyIdleTimer {
  private final RoutingContext ctx;
  private final long idleMs;
  private long lastBytes;
  private long lastProgress;
  private long timerId;

  private BodyIdleTimer(RoutingContext ctx, long idleMs) {
    this.ctx = ctx;
    this.idleMs = idleMs;
    this.lastProgress = System.currentTimeMillis();
  }

  /** Watches the body of {@code ctx}'s request, if it declares one. */
  static void watch(RoutingContext ctx, long idleMs) {
    if (!hasBody(ctx.request())) {
      return;
    }
    BodyIdleTimer timer = new BodyIdleTimer(ctx, idleMs);
    // checked twice per period, so a stalled body is answered between idleMs and 1.5 x idleMs after its last byte
    timer.timerId = ctx.vertx().setPeriodic(Math.max(1, idleMs / 2), id -> timer.check());
  }

  private static boolean hasBody(HttpServerRequest request) {
    if (request.isEnded()) {
      return false;
    }
    if (request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      return true;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return length != null && !length.equals("0");
  }

  private void check() {
    HttpServerRequest request = ctx.request();
    if (request.isEnded() || ctx.response().closed()) {
      ctx.vertx().cancelTimer(timerId);
      return;
    }
    long now = System.currentTimeMillis();
    long bytes = request.bytesRead();
    if (bytes != lastBytes) {
      lastBytes = bytes;
      lastProgress = now;
      return;
    }
    if (now - lastProgress < idleMs) {
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
