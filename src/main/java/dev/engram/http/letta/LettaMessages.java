package dev.engram.http.letta;

import dev.engram.http.PrefixedIds;

import dev.engram.model.StepEvent;
import dev.engram.kernel.Times;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A run's events and stored messages in Letta's {@code message_type} vocabulary (the {@code /v1} API), for a MemGPT
 * agent that speaks through {@code send_message}: the monologue is a {@code reasoning_message}, a {@code send_message}
 * call is an {@code assistant_message} (its call and its return are not shown), any other call is a
 * {@code tool_call_message} followed by a {@code tool_return_message}. Ids are prefixed; parts of one stored message
 * share its id and differ by {@code otid}.
 */
final class LettaMessages {
  static final String SEND_MESSAGE = "send_message";
  private static final int REASONING_PART = 0;
  private static final int CALL_PART = 1;

  private LettaMessages() {}

  /** One event of a run, or null when Letta does not show it (the call and the return of send_message). */
  static JsonObject event(StepEvent e, String runId) {
    JsonObject json = switch (e.kind()) {
      case StepEvent.MONOLOGUE -> e.content() == null || e.content().isEmpty() ? null
          : reasoning(e.messageId(), e.content(), e.date());
      case StepEvent.ASSISTANT -> assistant(e.messageId(), e.content(), e.date());
      case StepEvent.FUNCTION_CALL -> SEND_MESSAGE.equals(e.call().name()) ? null
          : toolCall(e.messageId(), e.call(), e.date());
      case StepEvent.FUNCTION_RETURN -> SEND_MESSAGE.equals(e.call().name()) ? null
          : toolReturn(e.messageId(), e.call().id(), e.content(), e.status(), e.date());
      default -> null;
    };
    return json == null ? null : json.put("run_id", runId == null ? null : PrefixedIds.prefixed(PrefixedIds.RUN, runId));
  }

  /** A stored message as Letta's history shows it: zero, one or several messages. */
  static List<JsonObject> history(Message m) {
    List<JsonObject> out = new ArrayList<>(2);
    switch (m.role()) {
      case Message.SYSTEM -> out.add(common(m.id(), 0, "system_message", m.createdAt()).put("content", m.text()));
      case Message.USER -> out.add(common(m.id(), 0, "user_message", m.createdAt()).put("content", m.readableText()));
      case Message.ASSISTANT -> {
        if (m.text() != null && !m.text().isEmpty()) {
          out.add(reasoning(m.id(), m.text(), m.createdAt()));
        }
        for (ToolCall call : m.toolCalls()) {
          if (SEND_MESSAGE.equals(call.name())) {
            String said = sentMessage(call);
            if (said != null) {
              out.add(assistant(m.id(), said, m.createdAt()));
            }
          } else {
            out.add(toolCall(m.id(), call, m.createdAt()));
          }
        }
      }
      case Message.TOOL -> {
        if (!SEND_MESSAGE.equals(m.name())) {
          JsonObject packaged = packaged(m.text());
          String status = "OK".equals(packaged.getString("status")) ? "success" : "error";
          Object result = packaged.getValue("message");
          out.add(toolReturn(m.id(), m.toolCallId(), result == null ? "None" : String.valueOf(result), status,
              m.createdAt()));
        }
      }
      default -> { }
    }
    return out;
  }

  private static JsonObject reasoning(String id, String text, Instant at) {
    return common(id, REASONING_PART, "reasoning_message", at).put("reasoning", text)
        .put("source", "non_reasoner_model").putNull("signature");
  }

  private static JsonObject assistant(String id, String text, Instant at) {
    return common(id, CALL_PART, "assistant_message", at).put("content", text);
  }

  private static JsonObject toolCall(String id, ToolCall call, Instant at) {
    JsonObject c = new JsonObject().put("name", call.name()).put("arguments", call.arguments())
        .put("tool_call_id", call.id());
    return common(id, CALL_PART, "tool_call_message", at).put("tool_call", c).put("tool_calls", new JsonArray().add(c));
  }

  private static JsonObject toolReturn(String id, String callId, String result, String status, Instant at) {
    JsonObject r = new JsonObject().put("type", "tool").put("tool_return", result).put("status", status)
        .put("tool_call_id", callId).putNull("stdout").putNull("stderr");
    return common(id, 0, "tool_return_message", at).put("tool_return", result).put("status", status)
        .put("tool_call_id", callId).putNull("stdout").putNull("stderr").put("tool_returns", new JsonArray().add(r));
  }

  private static JsonObject common(String id, int part, String type, Instant at) {
    return new JsonObject().put("id", PrefixedIds.prefixed(PrefixedIds.MESSAGE, id)).put("date", Times.iso(at))
        .put("message_type", type).put("otid", otid(id, part)).putNull("name").putNull("sender_id")
        .putNull("step_id").putNull("is_err").putNull("seq_id").putNull("run_id");
  }

  /** Letta's part id: the message's UUID with its low 7 bits replaced by the part's index. */
  static String otid(String messageId, int part) {
    try {
      UUID uuid = UUID.fromString(messageId);
      return new UUID(uuid.getMostSignificantBits(), (uuid.getLeastSignificantBits() & ~0x7FL) | part).toString();
    } catch (IllegalArgumentException notUuid) {
      return messageId + "-" + part;
    }
  }

  private static String sentMessage(ToolCall call) {
    try {
      return new JsonObject(call.arguments()).getString("message");
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  private static JsonObject packaged(String text) {
    try {
      return new JsonObject(text);
    } catch (RuntimeException notJson) {
      return new JsonObject().put("status", "OK").put("message", text);
    }
  }
}
