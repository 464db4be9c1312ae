package dev.engram.model;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * One message of an agent's history (recall memory). Roles are {@code system}, {@code user}, {@code assistant} and
 * {@code tool}; for assistant messages {@code text} is the inner monologue and {@code toolCalls} the requested call.
 */
public record Message(
    String id,
    String agentId,
    String userId,
    String role,
    String text,
    String name,
    List<ToolCall> toolCalls,
    String toolCallId,
    String model,
    int tokens,
    Instant createdAt) {

  public static final String SYSTEM = "system";
  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";
  public static final String TOOL = "tool";
  /**
   * The answer to a paused call (approve, deny, a client-side tool's result), kept in the history only: {@code text}
   * is {@code {"approvals": [...]}} in Letta's shape, {@code toolCallId} the call it answers. Never in the context.
   */
  public static final String APPROVAL = "approval";

  public Message {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  /** The text a person would read: what the user wrote (without its JSON envelope), or the message text as is. */
  public String readableText() {
    String t = text == null ? "" : text;
    if (USER.equals(role) && t.startsWith("{")) {
      try {
        String inner = new JsonObject(t).getString("message");
        return inner != null ? inner : t;
      } catch (RuntimeException notJson) {
        return t;
      }
    }
    return t;
  }

  /** What recall search matches: the readable text, plus for the agent the messages it sent to the user. */
  public String searchableText() {
    StringBuilder out = new StringBuilder(readableText());
    for (ToolCall call : toolCalls) {
      if ("send_message".equals(call.name())) {
        try {
          String said = new JsonObject(call.arguments()).getString("message");
          if (said != null) {
            out.append('\n').append(said);
          }
        } catch (RuntimeException notJson) {
          // arguments the model mangled are not searchable
        }
      }
    }
    return out.toString();
  }
}
