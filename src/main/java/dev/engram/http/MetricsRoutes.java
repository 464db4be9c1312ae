package dev.engram.http;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.observe.EngramMetrics;

import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: every meter of the process in the Prometheus text format. It decides its own access
 * ({@link MetricsAccess}; the admin password or an admin token is "admin"), so it is on the public list of the router.
 * The text is written off the event loop.
 */
final class MetricsRoutes {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final MetricsAccess access;
  private final Authenticator auth;

  MetricsRoutes(MetricsAccess access, Authenticator auth) {
    this.access = access;
    this.auth = auth;
  }

  void mount(RouteTable router) {
    router.get("/metrics").handler(this::metrics);
  }

  private void metrics(RoutingContext ctx) {
    var peer = ctx.request().remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    auth.standing(ctx).onSuccess(standing -> {
      if (access.allows(host, standing == Authenticator.Standing.ADMIN)) {
        scrape(ctx);
      } else if (standing == Authenticator.Standing.USER) {
        ctx.fail(new ApiException(ErrorKind.FORBIDDEN,
            "Forbidden: this token was issued to a user's key; /metrics needs the admin password or a token issued"
                + " to it"));
      } else {
        ctx.fail(new ApiException(ErrorKind.UNAUTHORIZED, access == MetricsAccess.ADMIN
            ? "Unauthorized: /metrics needs the admin password"
            : "Unauthorized: /metrics needs the admin password from outside this machine"));
      }
    }).onFailure(ctx::fail);
  }

  private void scrape(RoutingContext ctx) {
    EngramMetrics metrics = EngramMetrics.of(ctx.vertx());
    ctx.vertx().executeBlocking(metrics::scrape, false).onSuccess(text -> {
      if (text == null) {
        ctx.fail(new ApiException(ErrorKind.UNAVAILABLE, "metrics are not enabled in this process"));
        return;
      }
      ctx.response().putHeader("content-type", CONTENT_TYPE).end(text);
    }).onFailure(ctx::fail);
  }
}
