package dev.engram.http;

import dev.engram.kernel.ApiException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writing JSON responses. */
public final class Responses {
  private Responses() {}

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  public static void json(RoutingContext ctx, int status, JsonArray body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** A JSON string as the whole body (Letta answers some routes with one, e.g. a recompiled system prompt). */
  public static void jsonString(RoutingContext ctx, int status, String value) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(io.vertx.core.json.Json.encode(value));
  }

  /** The one shape of every error: its status and {@code {"detail": "..."}}. */
  public static Future<Void> error(HttpServerResponse response, ApiException error) {
    return response.setStatusCode(error.status()).putHeader("content-type", "application/json")
        .end(new JsonObject().put("detail", error.getMessage()).encode());
  }
}
