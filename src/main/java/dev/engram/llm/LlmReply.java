package dev.engram.llm;

import dev.engram.model.ToolCall;
import java.util.List;

/** What the model answered: its content (the inner monologue), its tool calls, why it stopped, and token usage. */
public record LlmReply(String content, List<ToolCall> toolCalls, String finishReason, Usage usage) {
  public LlmReply {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  /** Token counts as the endpoint reported them (zeros when it did not). */
  public record Usage(int promptTokens, int completionTokens, int totalTokens) {
    public static final Usage NONE = new Usage(0, 0, 0);
  }
}
