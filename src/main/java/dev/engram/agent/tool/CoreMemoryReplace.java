package dev.engram.agent.tool;

import dev.engram.model.CoreMemory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Replaces every occurrence of an exact string in a block of core memory, named by its label. */
final class CoreMemoryReplace implements Tool {
  @Override
  public String name() {
    return "core_memory_replace";
  }

  @Override
  public JsonObject schema() {
    return Schemas.function(name(),
        "Replace the contents of core memory. To delete memories, use an empty string for new_content.",
        new JsonObject().put("name", Schemas.param("string", Schemas.SECTION))
            .put("old_content", Schemas.param("string", "String to replace. Must be an exact match."))
            .put("new_content", Schemas.param("string", Schemas.UNICODE_CONTENT)),
        new JsonArray().add("name").add("old_content").add("new_content"), true);
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    String label = args.getString("name");
    return ctx.editMemory(label, CoreMemory.replacing(label, args.getString("old_content"),
        args.getString("new_content"))).map("None");
  }
}
