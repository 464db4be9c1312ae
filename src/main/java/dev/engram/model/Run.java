package dev.engram.model;

import java.time.Instant;

/**
 * One send to an agent and what became of it: {@code created} (stored, waiting in the agent's queue), {@code running},
 * then {@code completed}, {@code failed} or {@code cancelled} with a Letta {@code stop_reason}. Usage, step count,
 * the seq of its last event ({@code eventCount}) and timings are set when it ends; {@code errorStatus} and
 * {@code error} say what ended a failed run (the HTTP status and detail a client would have got).
 */
public record Run(String id, String agentId, String userId, String status, String stopReason, boolean background,
    String idempotencyKey, RunRequest request, Integer promptTokens, Integer completionTokens, Integer totalTokens,
    Integer stepCount, Integer eventCount, Integer errorStatus, String error, Instant createdAt, Instant completedAt,
    Long ttftNs, Long totalDurationNs) {
  public static final String CREATED = "created";
  public static final String RUNNING = "running";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  /** Letta's stop reasons that Engram gives. */
  public static final String END_TURN = "end_turn";
  public static final String MAX_STEPS = "max_steps";
  public static final String STOP_CANCELLED = "cancelled";
  public static final String STOP_ERROR = "error";
  public static final String STOP_LLM_ERROR = "llm_api_error";
  /** The run paused on a tool call that waits for an approval or for a client-side tool's result. */
  public static final String STOP_REQUIRES_APPROVAL = "requires_approval";
  /** An exit_loop tool ended the turn although the model asked to go on. */
  public static final String STOP_TOOL_RULE = "tool_rule";

  /** A run that is about to start or has started: nothing about its end yet. */
  public static Run open(String id, String agentId, String userId, String status, String idempotencyKey,
      RunRequest request, Instant createdAt) {
    return new Run(id, agentId, userId, status, null, request.background(), idempotencyKey, request, null, null, null,
        null, null, null, null, createdAt, null, null, null);
  }

  /** The conversation the run is in; null for the agent's own thread. */
  public String conversationId() {
    return request.conversationId();
  }

  public boolean finished() {
    return COMPLETED.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
  }

  public boolean failed() {
    return FAILED.equals(status);
  }
}
