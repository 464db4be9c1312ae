package dev.engram.http;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP responses: always {@code {"detail": "..."}} with a fitting status. */
final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  private final long maxBodyBytes;

  FailureHandler(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ApiException error = toApi(ctx.failure(), ctx.statusCode());
    if (error.status() == 500) {
      LOG.error("{} {} failed: {}", ctx.request().method(), ctx.request().path(), error.getMessage(), ctx.failure());
    } else if (error.status() > 500) {
      // the model or a dependency failed (502/503/504): expected in operation, and the cause is in the message
      LOG.warn("{} {} answered {}: {}", ctx.request().method(), ctx.request().path(), error.status(),
          error.getMessage());
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    send(ctx, error);
  }

  static void send(RoutingContext ctx, ApiException error) {
    ctx.response().setStatusCode(error.status()).putHeader("content-type", "application/json")
        .end(new JsonObject().put("detail", error.getMessage()).encode());
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
      case 405 -> new ApiException(ErrorKind.ofStatus(405), "Method Not Allowed");
      case 413 -> new ApiException(ErrorKind.PAYLOAD_TOO_LARGE,
          "Request body is larger than the limit of " + maxBodyBytes + " bytes");
      case 400 -> ApiException.badRequest(payload != null ? payload : "Bad Request");
      default -> status >= 400 && status < 500
          ? new ApiException(ErrorKind.ofStatus(status), payload != null ? payload : "Request failed")
          : new ApiException(ErrorKind.INTERNAL, "internal error");
    };
  }
}
