package dev.engram.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The first handler of every request: bounds how long its body may stall ({@link BodyIdleTimer}), reads a JSON body
 * of POST, PUT and PATCH up to {@code MAX_BODY_BYTES}, and holds an upload's body unread until authentication has
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
    HttpMethod m = ctx.request().method();
    if (ctx.request().path().endsWith("/upload")) {
      ctx.request().pause();
      ctx.next();
    } else if (m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH) {
      json.handle(ctx);
    } else {
      ctx.next();
    }
  }
}
