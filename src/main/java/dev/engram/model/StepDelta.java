package dev.engram.model;

/**
 * A fragment of a step's output as the model streams it (Letta's token mode), relayed before the step is stored:
 * the next piece of the monologue ({@link StepEvent#MONOLOGUE}), of the text the agent sends the user
 * ({@link StepEvent#ASSISTANT}: the {@code message} argument of send_message, naming that call, or the reply of an
 * agent that speaks in plain text, naming none) or of another tool call's arguments ({@link StepEvent#FUNCTION_CALL},
 * each with the call's id and name; {@code opens} on the first fragment of the call).
 * {@code messageId} is the stored message the step's events will carry, so a client can match fragments to the whole
 * event that follows the commit.
 */
public record StepDelta(String kind, String messageId, String text, String callId, String callName, boolean opens) {
  public static StepDelta text(String kind, String messageId, String text) {
    return new StepDelta(kind, messageId, text, null, null, false);
  }
}
