package dev.engram.agent.tool;

import dev.engram.kernel.Times;
import dev.engram.store.ArchivalProtocol.Found;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Semantic search of the agent's archival memory, five results a page, best first. */
final class ArchivalMemorySearch implements Tool {
  @Override
  public String name() {
    return "archival_memory_search";
  }

  @Override
  public JsonObject schema() {
    return Schemas.querySearch(name(), "Search archival memory using semantic (embedding-based) search.");
  }

  @Override
  public boolean truncatesOutput() {
    return false;
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    int page = RecallResults.page(args);
    return ctx.searchArchival(args.getString("query")).map(found -> render(found, page));
  }

  /** The page of results, with each passage's own time; the total counts every ranked passage. */
  static String render(List<Found> found, int page) {
    int size = RecallResults.PAGE_SIZE;
    int from = page * size;
    if (from >= found.size()) {
      return "No results found.";
    }
    List<Found> slice = found.subList(from, Math.min(found.size(), from + size));
    JsonArray lines = new JsonArray();
    for (Found f : slice) {
      lines.add("timestamp: " + Times.iso(f.passage().createdAt()) + ", memory: " + f.passage().text());
    }
    int pages = (found.size() + size - 1) / size;
    return "Showing " + slice.size() + " of " + found.size() + " results (page " + page + "/" + (pages - 1) + "): "
        + lines.encode();
  }
}
