package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Letta's memory_replace (its v2 memory tools): one exact, unique occurrence of a string in a block replaced. */
final class MemoryReplace implements Tool {
  @Override
  public String name() {
    return "memory_replace";
  }

  @Override
  public JsonObject schema() {
    return Schemas.function(name(), "The memory_replace command allows you to replace a specific string in a memory"
            + " block with a new string. This is used for making precise edits.",
        new JsonObject().put("label", Schemas.param("string", Schemas.LABEL))
            .put("old_string", Schemas.param("string",
                "The text to replace (must match exactly, including whitespace and indentation)."))
            .put("new_string", Schemas.param("string",
                "The new text to insert in place of the old text. Do not include line number prefixes.")),
        new JsonArray().add("label").add("old_string").add("new_string"), true);
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    String label = args.getString("label");
    String oldString = args.getString("old_string");
    String newString = args.getString("new_string");
    return ctx.editMemory(label, current -> replaced(label, current, oldString, newString)).map("None");
  }

  static String replaced(String label, String current, String oldString, String newString) {
    int first = oldString.isEmpty() ? -1 : current.indexOf(oldString);
    if (first < 0) {
      throw new IllegalArgumentException("No replacement was performed, old_string `" + oldString
          + "` did not appear verbatim in memory block with label `" + label + "`.");
    }
    if (current.indexOf(oldString, first + 1) >= 0) {
      throw new IllegalArgumentException("No replacement was performed. Multiple occurrences of old_string `"
          + oldString + "` in memory block with label `" + label + "`. Please ensure it is unique.");
    }
    return current.substring(0, first) + newString + current.substring(first + oldString.length());
  }
}
