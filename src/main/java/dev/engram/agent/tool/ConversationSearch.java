package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Case-insensitive text search over the agent's past user and assistant messages. */
final class ConversationSearch implements Tool {
  @Override
  public String name() {
    return "conversation_search";
  }

  @Override
  public JsonObject schema() {
    return Schemas.querySearch(name(), "Search prior conversation history using case-insensitive string matching.");
  }

  @Override
  public boolean truncatesOutput() {
    return false;
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    int page = RecallResults.page(args);
    return ctx.searchRecall(args.getString("query"), null, null, page * RecallResults.PAGE_SIZE,
        RecallResults.PAGE_SIZE).map(found -> RecallResults.render(found, page));
  }
}
