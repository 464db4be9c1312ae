package dev.engram.agent.rules;

import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import java.util.List;

/**
 * A thread's paused tool call: its last in-context message is the model's call, with no return after it. A step that
 * runs a call stores the call and its return together, so only a call waiting for an approval (or for a client-side
 * tool's result) is left that way, and it stays that way across a restart: nothing else needs storing.
 *
 * @param request the assistant message with the call (its id is the approval request's id)
 * @param clientSide whether the client runs the tool (it is not one of the agent's tools)
 */
public record PendingCall(Message request, ToolCall call, boolean clientSide) {
  /** The paused call of a thread whose last in-context message is {@code last}, or null. */
  public static PendingCall of(Message last, List<String> agentTools) {
    if (last == null || !Message.ASSISTANT.equals(last.role()) || last.toolCalls().isEmpty()) {
      return null;
    }
    ToolCall call = last.toolCalls().get(0);
    return new PendingCall(last, call, !agentTools.contains(call.name()));
  }

  /** The paused call of a thread with this context window, or null. */
  public static PendingCall of(List<Message> context, List<String> agentTools) {
    return context.size() < 2 ? null : of(context.get(context.size() - 1), agentTools);
  }
}
