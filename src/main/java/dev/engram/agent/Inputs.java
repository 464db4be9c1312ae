package dev.engram.agent;

import dev.engram.kernel.Times;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;

/** The JSON envelopes the model receives as user-role messages: user text, system alerts, heartbeats, tool results. */
final class Inputs {
  static final String HEARTBEAT_REQUESTED = "[This is an automated system message hidden from the user] "
      + "Function called using request_heartbeat=true, returning control";
  static final String HEARTBEAT_FAILED = "[This is an automated system message hidden from the user] "
      + "Function call failed, returning control";
  static final String MEMORY_WARNING = "[This is an automated system message hidden from the user] "
      + "The conversation history will soon reach its maximum length and be trimmed. Do NOT tell the user about this"
      + " system alert, they should not know that the history is reaching max length. If there is any important new"
      + " information or general memories about you or the user that you would like to save, you should save that"
      + " information immediately by calling function core_memory_append, core_memory_replace, or"
      + " archival_memory_insert.";

  private Inputs() {}

  static String userMessage(String text, Instant at, ZoneId zone) {
    return new JsonObject().put("type", "user_message").put("message", text).put("time", Times.stamp(at, zone))
        .encode();
  }

  static String systemAlert(String text, Instant at, ZoneId zone) {
    return new JsonObject().put("type", "system_alert").put("message", text).put("time", Times.stamp(at, zone))
        .encode();
  }

  static String heartbeat(String reason, Instant at, ZoneId zone) {
    return new JsonObject().put("type", "heartbeat").put("reason", reason).put("time", Times.stamp(at, zone))
        .encode();
  }

  static String login(Instant at, ZoneId zone) {
    return new JsonObject().put("type", "login").put("last_login", "Never (first login)")
        .put("time", Times.stamp(at, zone)).encode();
  }

  /** A tool result as the model sees it: {@code {"status": "OK"|"Failed", "message": ..., "time": ...}}. */
  static String toolResult(boolean ok, String message, Instant at, ZoneId zone) {
    return new JsonObject().put("status", ok ? "OK" : "Failed").put("message", message)
        .put("time", Times.stamp(at, zone)).encode();
  }
}
