package dev.engram.model;

import java.time.Instant;

/**
 * One event of a run, as stored and as every renderer reads it (the MemGPT SSE vocabulary of /api, Letta's
 * {@code message_type} vocabulary of /v1, the WebSocket). {@code seq} numbers a run's events from 1, in order, so a
 * client can say which it has seen. {@code messageId} is the stored message the event comes from (several events may
 * share it); {@code call} is the tool call of a {@link #FUNCTION_CALL}, for a {@link #FUNCTION_RETURN} the call it
 * answers, and for an {@link #ASSISTANT} message the send_message call that said it (its arguments left out: the
 * content is its message), or null when it is the reply of an agent that speaks in plain text; {@code status} is
 * {@code success} or {@code error} on returns. {@code stdout} and {@code stderr} are what a custom tool printed, on its
 * return (null for the other events and for tools that print nothing).
 */
public record StepEvent(int seq, String kind, String content, String status, String messageId, Instant date,
    ToolCall call, String stdout, String stderr) {
  public StepEvent(int seq, String kind, String content, String status, String messageId, Instant date,
      ToolCall call) {
    this(seq, kind, content, status, messageId, date, call, null, null);
  }

  public static final String MONOLOGUE = "internal_monologue";
  public static final String FUNCTION_CALL = "function_call";
  public static final String ASSISTANT = "assistant_message";
  public static final String FUNCTION_RETURN = "function_return";
  /**
   * A call that waits for its owner's approval or for a client-side tool's result ({@code call}); the run ends after
   * it with stop reason requires_approval.
   */
  public static final String APPROVAL_REQUEST = "approval_request";
}
