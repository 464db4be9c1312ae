package dev.engram.agent.tool;

import dev.engram.kernel.Times;
import dev.engram.agent.ArchivalHit;
import dev.engram.model.Memory;
import dev.engram.model.Passage;
import dev.engram.store.MemoryProtocol.Scope;
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

  /**
   * The page of results, with each hit's own time and where it came from: nothing more for the agent's own
   * passages, {@code from: file <name>} for a chunk of a source's document, {@code from: mem0 <scope>} for a memory
   * of an attached Mem0 scope. The total counts every ranked hit.
   */
  static String render(List<ArchivalHit> found, int page) {
    int size = RecallResults.PAGE_SIZE;
    int from = page * size;
    if (from >= found.size()) {
      return "No results found.";
    }
    List<ArchivalHit> slice = found.subList(from, Math.min(found.size(), from + size));
    JsonArray lines = new JsonArray();
    for (ArchivalHit hit : slice) {
      lines.add("timestamp: " + Times.iso(hit.createdAt()) + origin(hit) + ", memory: " + hit.text());
    }
    int pages = (found.size() + size - 1) / size;
    return "Showing " + slice.size() + " of " + found.size() + " results (page " + page + "/" + (pages - 1) + "): "
        + lines.encode();
  }

  private static String origin(ArchivalHit hit) {
    if (hit.isMemory()) {
      Memory m = hit.memory();
      return ", from: mem0 " + new Scope(m.scopeUser(), m.scopeAgent(), m.scopeRun()).describe();
    }
    Passage p = hit.passage();
    if (p.sourceId() == null) {
      return "";
    }
    return ", from: " + (p.fileName() != null ? "file " + p.fileName() : "source " + p.sourceId());
  }
}
