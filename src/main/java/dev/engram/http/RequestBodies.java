package dev.engram.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The first handler of every request: bounds how long its body may stall ({@link BodyIdleTimer}), reads any body
 * (JSON) up to {@code MAX_BODY_BYTES}, whatever the method, and holds an upload's body unread until authentication has
 * passed and {@link UploadBody} reads it (a larger limit, to disk).
 */
final class RequestBodies implements Handler<RoutingContext> {
  private final BodyHandler json;
  private final long idleMs;

  RequestBodies(HttpSettings settings) {
    this.json = BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes());
    this.idleMs = settings.bodyReadTimeoutMs();
  }

  @Override
  public void handle(RoutingContext ctx) {
    BodyIdleTimer.watch(ctx, idleMs);
    if (isUpload(ctx.request().path())) {
      ctx.request().pause();
      ctx.next();
    } else if (declaresBody(ctx.request())) {
      json.handle(ctx);
    } else {
      ctx.next(); // nothing to read (and a WebSocket handshake must stay unread until its upgrade)
    }
  }

  /** The routes whose body is a file upload: every {@code .../upload}, and Letta's agent-file import. */
  static boolean isUpload(String path) {
    return path.endsWith("/upload") || path.equals("/v1/agents/import") || path.equals("/v1/agents/import/");
  }

  /** Whether the request has a body still to come: a non-zero Content-Length, chunks, or an HTTP/2 stream. */
  static boolean declaresBody(HttpServerRequest request) {
    if (request.isEnded()) {
      return false;
    }
    if (request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      return true;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return length != null && !length.trim().equals("0");
  }
}
