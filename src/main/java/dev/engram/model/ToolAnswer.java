package dev.engram.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A client's answer to a paused tool call (Letta's ApprovalCreate and ToolReturnCreate): {@code approve} or
 * {@code deny} a call waiting for approval ({@code reason}: why, shown to the model on a denial), or {@code result},
 * the return of a call the client ran itself (a client-side tool: {@code status} success or error, {@code output},
 * {@code stdout}, {@code stderr}). It names the call by {@code toolCallId}, or in the deprecated form by
 * {@code requestId}, the id of the approval request message.
 */
public record ToolAnswer(String kind, String toolCallId, String requestId, String reason, String status,
    String output, List<String> stdout, List<String> stderr) {
  public static final String APPROVE = "approve";
  public static final String DENY = "deny";
  public static final String RESULT = "result";

  public ToolAnswer {
    stdout = stdout == null ? List.of() : List.copyOf(stdout);
    stderr = stderr == null ? List.of() : List.copyOf(stderr);
  }

  /** Whether this answer is for {@code call} of the request message {@code messageId}. */
  public boolean answers(ToolCall call, String messageId) {
    return toolCallId != null ? toolCallId.equals(call.id()) : messageId.equals(requestId);
  }

  public JsonObject toJson() {
    return new JsonObject().put("kind", kind).put("tool_call_id", toolCallId).put("request_id", requestId)
        .put("reason", reason).put("status", status).put("output", output).put("stdout", new JsonArray(stdout))
        .put("stderr", new JsonArray(stderr));
  }

  @SuppressWarnings("unchecked")
  public static ToolAnswer fromJson(JsonObject json) {
    return new ToolAnswer(json.getString("kind"), json.getString("tool_call_id"), json.getString("request_id"),
        json.getString("reason"), json.getString("status"), json.getString("output"),
        json.getJsonArray("stdout", new JsonArray()).getList(), json.getJsonArray("stderr", new JsonArray()).getList());
  }
}
