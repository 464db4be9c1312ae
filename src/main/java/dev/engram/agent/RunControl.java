package dev.engram.agent;

/**
 * A run that this shard has taken and not finished: queued in its thread's mailbox or running. A cancel sets the flag;
 * the step loop reads it at each step boundary. {@code queued} is true while a run stored before it started still
 * waits for its turn (a cancel then also cancels its row, so that a restart does not run it). Confined to the shard's
 * event loop.
 */
final class RunControl {
  final String runId;
  final String agentId;
  /** The conversation the run is in; null for the agent's own thread. */
  final String conversationId;
  final String userId;
  boolean queued;
  private boolean cancelled;

  RunControl(String runId, String agentId, String conversationId, String userId) {
    this.runId = runId;
    this.agentId = agentId;
    this.conversationId = conversationId;
    this.userId = userId;
  }

  void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }
}
