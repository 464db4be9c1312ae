package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/** Past user and assistant messages between two dates (inclusive), in the agent's time zone. */
final class ConversationSearchDate implements Tool {
  @Override
  public String name() {
    return "conversation_search_date";
  }

  @Override
  public JsonObject schema() {
    return Schemas.function(name(), "Search prior conversation history using a date range.",
        new JsonObject()
            .put("start_date", Schemas.param("string",
                "The start of the date range to search, in the format 'YYYY-MM-DD'."))
            .put("end_date", Schemas.param("string",
                "The end of the date range to search, in the format 'YYYY-MM-DD'."))
            .put("page", Schemas.param("integer", Schemas.PAGE)),
        new JsonArray().add("start_date").add("end_date"), true);
  }

  @Override
  public boolean truncatesOutput() {
    return false;
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    int page = RecallResults.page(args);
    Instant from = day(args.getString("start_date"), ctx).atStartOfDay(ctx.zone()).toInstant();
    Instant to = day(args.getString("end_date"), ctx).plusDays(1).atStartOfDay(ctx.zone()).toInstant();
    return ctx.searchRecall(null, from, to, page * RecallResults.PAGE_SIZE, RecallResults.PAGE_SIZE)
        .map(found -> RecallResults.render(found, page));
  }

  private static LocalDate day(String value, ToolContext ctx) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("dates must be in the format 'YYYY-MM-DD', got '" + value + "'");
    }
  }
}
