package dev.engram.agent;

import dev.engram.agent.AgentProtocol.EditMessage;
import dev.engram.agent.AgentProtocol.EditedMessage;
import dev.engram.agent.AgentProtocol.GetAgent;
import dev.engram.agent.AgentProtocol.MessagePatch;
import dev.engram.kernel.ApiException;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import io.vertx.core.Future;
import java.util.List;
import java.util.Objects;

/**
 * Edits a stored message of an agent (the MemGPT 0.4 client's update_message): its text and its name. Its role, tool
 * calls and tool_call_id stay as they are: changing them would break the pairing of calls and results that the model
 * is shown; and it may be no longer than a message may be ({@link ContextBudget}). The store rewrites the row and its recall-index entry; when the message is in the agent's context window,
 * the agent's cached runtime is dropped so that its next operation loads the context with the new text.
 *
 * <p>The edit waits for what was asked of the agent before it (it goes through the agent's mailbox with a read), but
 * does not hold the mailbox while it writes: a run that starts meanwhile finishes with the text it started with.
 */
final class MessageEdits {
  private final AgentService agents;
  private final Runtimes runtimes;
  private final AgentDeps deps;

  MessageEdits(AgentService agents, Runtimes runtimes, AgentDeps deps) {
    this.agents = agents;
    this.runtimes = runtimes;
    this.deps = deps;
  }

  Future<EditedMessage> edit(EditMessage req) {
    // the read answers 404 for an agent that is not the user's, after the agent's earlier operations
    return agents.get(new GetAgent(req.userId(), req.agentId()))
        .compose(view -> deps.store().message(req.userId(), req.agentId(), req.messageId()).compose(stored -> {
          // the agent as it is now, to measure with (not cached: the agent's own runtime stays where it is)
          AgentRuntime rt = new AgentRuntime(view.agent(), view.inContext(), view.recallCount(),
              view.archivalCount());
          Message edited = apply(stored, req.patch(), rt.tokens);
          if (edited == stored) {
            return Future.succeededFuture(new EditedMessage(stored));
          }
          ContextBudget.refuseOversized(rt, deps, edited);
          return deps.store().rewriteMessage(edited).map(done -> {
            if (view.agent().inContextIds().contains(edited.id())) {
              // the agent's own thread loads its context again, with the new text, at its next operation
              runtimes.forgetThread(req.agentId());
            }
            return new EditedMessage(edited);
          });
        }));
  }

  /** The message with the patch applied (the same instance when nothing changes); 422 for a field it may not change. */
  static Message apply(Message m, MessagePatch patch, TokenCounter tokens) {
    unchanged("role", patch.role(), m.role());
    unchanged("tool_call_id", patch.toolCallId(), m.toolCallId());
    if (patch.toolCalls() != null && !patch.toolCalls().equals(m.toolCalls())) {
      throw ApiException.unprocessable("tool_calls cannot be changed: only a message's text and name can be edited"
          + " (send them as they are, or leave them out)");
    }
    String text = patch.text() != null ? patch.text() : m.text();
    String name = patch.name() != null ? patch.name() : m.name();
    if (Objects.equals(text, m.text()) && Objects.equals(name, m.name())) {
      return m;
    }
    List<ToolCall> calls = m.toolCalls();
    return new Message(m.id(), m.agentId(), m.userId(), m.role(), text, name, calls, m.toolCallId(), m.model(),
        tokens.message(text, calls), m.createdAt());
  }

  private static void unchanged(String field, String given, String stored) {
    if (given != null && !given.equals(stored)) {
      throw ApiException.unprocessable(field + " cannot be changed: the message's is "
          + (stored == null ? "null" : "'" + stored + "'") + "; only a message's text and name can be edited");
    }
  }
}
