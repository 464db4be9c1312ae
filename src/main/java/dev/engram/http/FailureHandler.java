package dev.engram.http;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP responses: always {@code {"detail": "..."}} with a fitting status. An
 * answer that goes out before its request's body was read closes the connection afterwards ({@link UnreadBody}).
 */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  /** What a request that no route took is, when it is known (a route of an API not implemented here), or null. */
  @FunctionalInterface
  interface Unrouted {
    ApiException explain(String method, String path);
  }

  private final long maxBodyBytes;
  /** The most of an unread body discarded after an early answer before the connection is closed regardless. */
  private final long discardLimit;
  private final RouteTable router;
  private final Unrouted unrouted;

  FailureHandler(HttpSettings settings, RouteTable router, Unrouted unrouted) {
    this.maxBodyBytes = settings.maxBodyBytes();
    this.discardLimit = 2 * Math.max(settings.maxBodyBytes(), UploadBody.bodyLimit(settings.maxUploadBytes()));
    this.router = router;
    this.unrouted = unrouted;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.failure() instanceof HttpClosedException) {
      return; // the client went away: there is nobody to answer
    }
    ApiException error = toApi(ctx.failure(), ctx.statusCode());
    if (noRouteTook(ctx, error)) {
      ApiException known = unrouted.explain(ctx.request().method().name(), ctx.normalizedPath());
      error = known != null ? known : error;
    }
    if (error.status() == 500) {
      LOG.error("{} {} failed: {}", ctx.request().method(), ctx.request().path(), error.getMessage(), ctx.failure());
    } else if (error.status() > 500 && error.kind() != ErrorKind.NOT_IMPLEMENTED) {
      // the model or a dependency failed (502/503/504): expected in operation, and the cause is in the message
      LOG.warn("{} {} answered {}: {}", ctx.request().method(), ctx.request().path(), error.status(),
          error.getMessage());
    }
    if (ctx.response().ended()) {
      return; // answered already (e.g. a 408 for a stalled body, whose reading then failed as well)
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (error.status() >= 500 && ctx.request().method() != HttpMethod.GET || error.status() == 409
        || error.kind() == ErrorKind.NOT_IMPLEMENTED) {
      // the Letta SDK resends a failed request on 5xx: one that may have had effects must not run twice; and on 409,
      // which here is always a real conflict (a name or label taken), and 501 a retry meets again
      ctx.response().putHeader("x-should-retry", "false");
    }
    if (error.status() == 405) {
      ctx.response().putHeader("Allow", AllowedMethods.of(router, ctx.normalizedPath()));
    }
    send(ctx, error, discardLimit);
  }

  /** Whether the router answered for want of a route (404, 405), rather than a route's handler. */
  private static boolean noRouteTook(RoutingContext ctx, ApiException error) {
    return (error.status() == 404 || error.status() == 405)
        && (ctx.failure() == null || ctx.failure() instanceof HttpException);
  }

  /** Sends {@code error} on a request whose body has been read (or that had none). */
  public static void send(RoutingContext ctx, ApiException error) {
    send(ctx, error, 0);
  }

  private static void send(RoutingContext ctx, ApiException error, long discardLimit) {
    HttpServerRequest request = ctx.request();
    if (!UnreadBody.pending(request)) {
      Responses.error(ctx.response(), error);
      return;
    }
    UnreadBody.announceClose(request);
    if (error.kind() == ErrorKind.REQUEST_TIMEOUT) {
      // the client stopped sending: there is nothing to wait for
      Responses.error(ctx.response(), error).onComplete(v -> UnreadBody.close(request));
    } else {
      Responses.error(ctx.response(), error).onComplete(v -> UnreadBody.discardThenClose(request, discardLimit));
    }
  }

  private ApiException toApi(Throwable failure, int status) {
    if (failure instanceof HttpException http) {
      return fromStatus(http.getStatusCode(), http.getPayload());
    }
    if (failure != null) {
      return ApiException.from(failure);
    }
    return fromStatus(status, null);
  }

  private ApiException fromStatus(int status, String payload) {
    return switch (status) {
      case 404 -> ApiException.notFound("Not Found");
      case 405 -> new ApiException(ErrorKind.METHOD_NOT_ALLOWED, "Method Not Allowed");
      case 413 -> new ApiException(ErrorKind.PAYLOAD_TOO_LARGE,
          "Request body is larger than the limit of " + maxBodyBytes + " bytes (MAX_BODY_BYTES)");
      case 400 -> ApiException.badRequest(payload != null ? payload : "Bad Request");
      default -> status >= 400 && status < 500
          ? new ApiException(ErrorKind.ofStatus(status), payload != null ? payload : "Request failed")
          : new ApiException(ErrorKind.INTERNAL, "internal error");
    };
  }
}
