package dev.engram.http.letta;

import dev.engram.EngramServer;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;


/** {@code /v1/health/} (public), {@code /v1/models/} and {@code /v1/models/embedding}: bare arrays, no paging. */
public final class LettaSystemRoutes {
  private final LettaModels models;

  public LettaSystemRoutes(LettaModels models) {
    this.models = models;
  }

  public void mount(RouteTable router) {
    router.get("/v1/health").handler(ctx -> Responses.json(ctx, 200,
        new JsonObject().put("status", "ok").put("version", EngramServer.VERSION)));
    router.get("/v1/models").handler(ctx -> Responses.json(ctx, 200,
        new JsonArray().add(models.model(models.defaultModel(), models.contextWindow()))));
    router.get("/v1/models/embedding").handler(ctx -> Responses.json(ctx, 200,
        new JsonArray().add(models.embeddingModel())));
  }
}
