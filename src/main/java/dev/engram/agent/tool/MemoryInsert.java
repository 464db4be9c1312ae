package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Letta's memory_insert (a v2 memory tool): text inserted as lines after a line of a block (by default at its end). */
final class MemoryInsert implements Tool {
  @Override
  public String name() {
    return "memory_insert";
  }

  @Override
  public JsonObject schema() {
    return Schemas.function(name(),
        "The memory_insert command allows you to insert text at a specific location in a memory block.",
        new JsonObject().put("label", Schemas.param("string", Schemas.LABEL))
            .put("new_string", Schemas.param("string", "The text to insert. Do not include line number prefixes."))
            .put("insert_line", Schemas.param("integer", "The line number after which to insert the text (0 for"
                + " beginning of file). Defaults to -1 (end of the file).")),
        new JsonArray().add("label").add("new_string"), true);
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    String text = args.getString("new_string");
    Integer at = args.getInteger("insert_line");
    return ctx.editMemory(args.getString("label"), current -> inserted(current, text, at == null ? -1 : at))
        .map("None");
  }

  /** {@code text}'s lines placed after line {@code after} of {@code current} (-1: after the last). */
  static String inserted(String current, String text, int after) {
    List<String> lines = new ArrayList<>(Arrays.asList(current.split("\n", -1)));
    int n = lines.size();
    int at = after == -1 ? n : after;
    if (at < 0 || at > n) {
      throw new IllegalArgumentException("Invalid `insert_line` parameter: " + after + ". It should be within the"
          + " range of lines of the memory block: [0, " + n + "], or -1 to append to the end of the memory block.");
    }
    lines.addAll(at, Arrays.asList(text.split("\n", -1)));
    return String.join("\n", lines);
  }
}
