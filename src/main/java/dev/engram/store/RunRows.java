package dev.engram.store;

import dev.engram.model.Run;
import dev.engram.model.RunRequest;
import dev.engram.model.StepEvent;
import dev.engram.model.ToolCall;
import dev.engram.store.StoreProtocol.RunWrite;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Row-to-record mapping of runs and their events (read with {@link RunRepository#COLUMNS}), and the binding of a
 * run's part of an agent's save (its events and its row go with its agent's step: see AgentRepository).
 */
final class RunRows {
  private RunRows() {}

  /**
   * Appends a save's run parameters ($21 to $47 of the save statement) to {@code params}: the run's id, its new events
   * column by column, then its row when the save inserts or ends it (all null otherwise).
   */
  static Tuple bindSave(Tuple params, RunWrite write) {
    List<StepEvent> events = write == null ? List.of() : write.events();
    int n = events.size();
    Integer[] seqs = new Integer[n];
    String[] kinds = new String[n];
    String[] contents = new String[n];
    String[] statuses = new String[n];
    UUID[] messages = new UUID[n];
    OffsetDateTime[] dates = new OffsetDateTime[n];
    String[] callIds = new String[n];
    String[] callNames = new String[n];
    String[] callArgs = new String[n];
    for (int i = 0; i < n; i++) {
      StepEvent e = events.get(i);
      seqs[i] = e.seq();
      kinds[i] = e.kind();
      contents[i] = e.content();
      statuses[i] = e.status();
      messages[i] = UUID.fromString(e.messageId());
      dates[i] = Rows.offset(e.date());
      if (e.call() != null) {
        callIds[i] = e.call().id();
        callNames[i] = e.call().name();
        callArgs[i] = e.call().arguments();
      }
    }
    params.addValue(write == null ? null : UUID.fromString(write.runId())).addArrayOfInteger(seqs)
        .addArrayOfString(kinds).addArrayOfString(contents).addArrayOfString(statuses).addArrayOfUUID(messages)
        .addArrayOfOffsetDateTime(dates).addArrayOfString(callIds).addArrayOfString(callNames)
        .addArrayOfString(callArgs);
    Run r = write == null ? null : write.row();
    if (r == null) {
      for (int i = 0; i < 17; i++) {
        params.addValue(null);
      }
      return params;
    }
    return params.addValue(UUID.fromString(r.userId())).addValue(r.status()).addValue(r.stopReason())
        .addValue(r.background()).addValue(r.idempotencyKey()).addValue(r.request().toJson().encode())
        .addValue(r.promptTokens()).addValue(r.completionTokens()).addValue(r.totalTokens())
        .addValue(r.stepCount()).addValue(r.eventCount()).addValue(r.errorStatus()).addValue(r.error())
        .addValue(Rows.offset(r.createdAt())).addValue(Rows.offset(r.completedAt())).addValue(r.ttftNs())
        .addValue(r.totalDurationNs());
  }

  static Run run(Row r) {
    Object request = r.getValue("request");
    JsonObject json = request instanceof JsonObject o ? o : new JsonObject(String.valueOf(request));
    return new Run(r.getUUID("id").toString(), r.getUUID("agent_id").toString(), r.getUUID("user_id").toString(),
        r.getString("status"), r.getString("stop_reason"), r.getBoolean("background"),
        r.getString("idempotency_key"), RunRequest.fromJson(json).inConversation(r.getUUID("conversation_id") == null
            ? null : r.getUUID("conversation_id").toString()), r.getInteger("prompt_tokens"),
        r.getInteger("completion_tokens"), r.getInteger("total_tokens"), r.getInteger("step_count"),
        r.getInteger("event_count"), r.getInteger("error_status"), r.getString("error"),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("completed_at")),
        r.getLong("ttft_ns"), r.getLong("total_duration_ns"));
  }

  static StepEvent event(Row r) {
    String callName = r.getString("call_name");
    ToolCall call = callName == null ? null
        : new ToolCall(r.getString("call_id"), callName, r.getString("call_args"));
    return new StepEvent(r.getInteger("seq"), r.getString("kind"), r.getString("content"),
        r.getString("event_status"), r.getUUID("message_id").toString(),
        Rows.instant(r.getOffsetDateTime("date")), call, r.getString("stdout"), r.getString("stderr"));
  }

  /** What the events of a save printed ({@code stdout} or else stderr), one per event, for its last two columns. */
  static String[] printed(RunWrite write, boolean stdout) {
    List<StepEvent> events = write == null ? List.of() : write.events();
    String[] out = new String[events.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = stdout ? events.get(i).stdout() : events.get(i).stderr();
    }
    return out;
  }
}
