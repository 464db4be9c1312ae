package dev.engram.agent.tool;

import dev.engram.model.CoreMemory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Appends a line to a block of core memory, named by its label (persona, human, or any other the agent has). */
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
    return ctx.editMemory(args.getString("name"), CoreMemory.appending(args.getString("content"))).map("None");
  }
}
