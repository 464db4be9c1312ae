package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Appends a line to the persona or human block. */
final class CoreMemoryAppend implements Tool {
  @Override
  public String name() {
    return "core_memory_append";
  }

  @Override
  public JsonObject schema() {
    return Schemas.function(name(), "Append to the contents of core memory.",
        new JsonObject().put("name", Schemas.param("string", Schemas.SECTION))
            .put("content", Schemas.param("string", Schemas.UNICODE_CONTENT)),
        new JsonArray().add("name").add("content"), true);
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    ctx.updateMemory(ctx.memory().append(args.getString("name"), args.getString("content")));
    return Future.succeededFuture("None");
  }
}
