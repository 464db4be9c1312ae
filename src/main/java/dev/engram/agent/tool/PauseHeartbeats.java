package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Timed heartbeats are not scheduled by this server; the call is accepted and acknowledged with the clamped value. */
final class PauseHeartbeats implements Tool {
  private static final int MAX_MINUTES = 360;

  @Override
  public String name() {
    return "pause_heartbeats";
  }

  @Override
  public JsonObject schema() {
    return Schemas.function(name(), "Temporarily ignore timed heartbeats. You may still receive messages from manual"
            + " heartbeats and other events.",
        new JsonObject().put("minutes", Schemas.param("integer",
            "Number of minutes to ignore heartbeats for. Max value of 360 minutes (6 hours).")),
        new JsonArray().add("minutes"), false);
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    int minutes = Math.max(0, Math.min(MAX_MINUTES, args.getInteger("minutes")));
    return Future.succeededFuture("Pausing timed heartbeats for " + minutes + " min");
  }
}
