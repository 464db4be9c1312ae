package dev.engram.http.letta;

import dev.engram.http.Bodies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How a client asked to see an agent's messages (letta-v1.md §6.1, §6.6): whether send_message is shown as an
 * {@code assistant_message} (the default) or as its tool call and return, and which {@code message_type}s to return
 * (null: all). Stored with a run (its {@code request_config}) so that a replay shows what the send showed.
 */
public record LettaView(boolean useAssistantMessage, Set<String> types) {
  public static final LettaView DEFAULT = new LettaView(true, null);
  /** Letta's {@code MessageType}: the values {@code include_return_message_types} takes. */
  static final Set<String> MESSAGE_TYPES = Set.of("system_message", "user_message", "assistant_message",
      "reasoning_message", "hidden_reasoning_message", "tool_call_message", "tool_return_message",
      "approval_request_message", "approval_response_message", "summary_message", "event_message");

  /** Whether a rendered message passes the type filter. */
  boolean shows(JsonObject message) {
    return message != null && (types == null || types.contains(message.getString("message_type")));
  }

  JsonObject toJson() {
    return new JsonObject().put("use_assistant_message", useAssistantMessage)
        .put("include_return_message_types", types == null ? null : new JsonArray(List.copyOf(types)));
  }

  static LettaView fromJson(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return DEFAULT;
    }
    JsonArray types = json.getJsonArray("include_return_message_types");
    return new LettaView(json.getBoolean("use_assistant_message", true),
        types == null ? null : new LinkedHashSet<>(types.getList().stream().map(String::valueOf).toList()));
  }

  /** The types of {@code include_return_message_types} as sent (a JSON array or repeated query values); 422 if bad. */
  static Set<String> types(List<?> values) {
    if (values == null) {
      return null;
    }
    Set<String> out = new LinkedHashSet<>();
    for (Object v : values) {
      if (!(v instanceof String type) || !MESSAGE_TYPES.contains(type)) {
        throw Bodies.invalid("include_return_message_types takes message types among " + MESSAGE_TYPES
            + ", got '" + v + "'");
      }
      out.add(type);
    }
    return out;
  }
}
