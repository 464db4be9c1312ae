package dev.engram.model;

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

  public Message {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }
}
