package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Stores text in the agent's archival memory (chunked and embedded). */
final class ArchivalMemoryInsert implements Tool {
  @Override
  public String name() {
    return "archival_memory_insert";
  }

  @Override
  public JsonObject schema() {
    return Schemas.function(name(),
        "Add to archival memory. Make sure to phrase the memory contents such that it can be easily queried later.",
        new JsonObject().put("content", Schemas.param("string", Schemas.UNICODE_CONTENT)), new JsonArray().add("content"),
        true);
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    return ctx.insertArchival(args.getString("content")).map(ids -> "None");
  }
}
