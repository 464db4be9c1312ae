package dev.engram.llm;

/**
 * One fragment of a streamed reply, as it arrives: a piece of the content ({@code content} set), or a piece of tool
 * call {@code callIndex} (its {@code callId} and {@code callName} on the fragment that brings them, then pieces of
 * its JSON {@code arguments}).
 */
public record LlmDelta(String content, int callIndex, String callId, String callName, String arguments) {
  static LlmDelta content(String text) {
    return new LlmDelta(text, -1, null, null, null);
  }

  static LlmDelta call(int index, String id, String name, String arguments) {
    return new LlmDelta(null, index, id, name, arguments);
  }

  public boolean isContent() {
    return content != null;
  }
}
