package dev.engram.agent.tool;

import dev.engram.kernel.Times;
import dev.engram.model.Message;
import dev.engram.store.StoreProtocol.Messages;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Formats a page of recall search results for the model, with the true total and page count. */
final class RecallResults {
  static final int PAGE_SIZE = 5;

  private RecallResults() {}

  static String render(Messages found, int page) {
    if (found.messages().isEmpty()) {
      return "No results found.";
    }
    long pages = (found.total() + PAGE_SIZE - 1) / PAGE_SIZE;
    JsonArray lines = new JsonArray();
    for (Message m : found.messages()) {
      lines.add("timestamp: " + Times.iso(m.createdAt()) + ", " + m.role() + " - " + m.readableText());
    }
    return "Showing " + found.messages().size() + " of " + found.total() + " results (page " + page + "/"
        + (pages - 1) + "): " + lines.encode();
  }

  /** The page argument: null or "none" means 0; anything else must be a non-negative integer. */
  static int page(JsonObject args) {
    Object raw = args.getValue("page");
    if (raw == null || "none".equalsIgnoreCase(String.valueOf(raw))) {
      return 0;
    }
    if (raw instanceof Number n && n.intValue() >= 0) {
      return n.intValue();
    }
    throw new IllegalArgumentException("'page' argument must be a non-negative integer");
  }
}
