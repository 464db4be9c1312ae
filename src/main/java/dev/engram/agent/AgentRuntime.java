package dev.engram.agent;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.engram.cluster.Fence;
import dev.engram.model.Agent;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import dev.engram.store.StoreProtocol.RunWrite;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The live state of one thread of an agent inside its shard: the agent's own thread, or one of its conversations
 * ({@code conversationId}). It holds the persisted record (for a conversation: the agent's with the thread's context
 * and overrides, see {@link dev.engram.model.Conversation#applyTo}), the messages of its context window (system
 * message first) and the sizes of its recall and archival memory. Only the shard's event loop touches it, one
 * operation at a time.
 */
final class AgentRuntime {
  Agent agent;
  /** The conversation this thread is; null for the agent's own thread. */
  final String conversationId;
  final List<Message> context;
  long recallCount;
  /** Passages the agent can search; kept fresh by the store's archival-changed notices. */
  long archivalCount;
  final TokenCounter tokens;
  /** Another writer changed one of the agent's blocks: reload them before the next step ({@link BlockSync}). */
  boolean blocksStale;
  /**
   * The agent's settings changed (through its own thread) while this conversation's thread was running: taken at its
   * next step ({@link BlockSync}).
   */
  Agent sharedUpdate;
  /** The in-context ids as last saved (or loaded): a save sends only what follows their common prefix. */
  private List<String> storedContextIds;
  private List<String> toolTokensFor;
  private int toolTokenCount;

  AgentRuntime(Agent agent, List<Message> context, long recallCount, long archivalCount) {
    this(agent, context, recallCount, archivalCount, null);
  }

  AgentRuntime(Agent agent, List<Message> context, long recallCount, long archivalCount, String conversationId) {
    this.agent = agent;
    this.conversationId = conversationId;
    this.context = new ArrayList<>(context);
    this.recallCount = recallCount;
    this.archivalCount = archivalCount;
    this.tokens = new TokenCounter(agent.model());
    this.storedContextIds = agent.inContextIds();
  }

  /**
   * Saves {@code state} (this agent's record, as it is to be stored) with new messages, and on success takes it as
   * the stored state. Does not touch {@link #agent}.
   */
  Future<Void> save(AgentDeps deps, Agent state, List<Message> messages) {
    return save(deps, state, messages, null);
  }

  /** {@link #save(AgentDeps, Agent, List)} with what the save writes about its run (null: none). */
  Future<Void> save(AgentDeps deps, Agent state, List<Message> messages, RunWrite run) {
    return save(deps, state, messages, run, deps.fence(state.id()));
  }

  /** As above, committed only under {@code fence} (cluster mode: the lease a run started under). */
  Future<Void> save(AgentDeps deps, Agent state, List<Message> messages, RunWrite run, Fence fence) {
    List<String> ids = state.inContextIds();
    return deps.saveWithRetry(state, messages, commonPrefix(storedContextIds, ids), run, conversationId, fence)
        .map(v -> {
          storedContextIds = ids;
          return null;
        });
  }

  /** The same agent counted with the tokenizer of its (changed) model; the stored state carries over. */
  AgentRuntime withModel() {
    AgentRuntime copy = new AgentRuntime(agent, context, recallCount, archivalCount, conversationId);
    copy.storedContextIds = storedContextIds;
    copy.blocksStale = blocksStale;
    return copy;
  }

  /** The key of this thread in its shard's cache and mailbox. */
  String threadKey() {
    return threadKey(agent.id(), conversationId);
  }

  /** The agent's id for its own thread, "agent/conversation" for a conversation. */
  static String threadKey(String agentId, String conversationId) {
    return conversationId == null ? agentId : agentId + "/" + conversationId;
  }

  /** Marks the agent's current record as stored (after it was inserted). */
  void stored() {
    storedContextIds = agent.inContextIds();
  }

  private static int commonPrefix(List<String> a, List<String> b) {
    int n = Math.min(a.size(), b.size());
    int i = 0;
    while (i < n && (a.get(i) == b.get(i) || a.get(i).equals(b.get(i)))) {
      i++;
    }
    return i;
  }

  Message newMessage(String role, String text, String name, List<ToolCall> calls, String toolCallId, Instant at) {
    return newMessage(newId(), role, text, name, calls, toolCallId, at);
  }

  /** A message with an id taken before (a step's reply, whose fragments name it while the model streams them). */
  Message newMessage(String id, String role, String text, String name, List<ToolCall> calls, String toolCallId,
      Instant at) {
    return new Message(id, agent.id(), agent.userId(), role, text, name, calls, toolCallId,
        Message.ASSISTANT.equals(role) ? agent.model() : null, tokens.message(text, calls), at);
  }

  static String newId() {
    return UuidCreator.getTimeOrderedEpoch().toString();
  }

  /** A message that only goes into a model request (never stored or kept in context), so its tokens are not counted. */
  Message requestOnly(String role, String text, Instant at) {
    return new Message(UuidCreator.getTimeOrderedEpoch().toString(), agent.id(), agent.userId(), role, text, null,
        List.of(), null, null, 0, at);
  }

  String system() {
    return context.isEmpty() ? "" : context.get(0).text();
  }

  List<String> contextIds() {
    String[] ids = new String[context.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = context.get(i).id();
    }
    return List.of(ids);
  }

  /** Tokens of the agent's tool schemas, counted again only when its tool list changes. */
  int toolTokens(AgentDeps deps) {
    List<String> names = agent.tools();
    if (names != toolTokensFor) {
      toolTokenCount = deps.toolTokens(names, tokens);
      toolTokensFor = names;
    }
    return toolTokenCount;
  }

  int contextTokens() {
    int n = 0;
    for (Message m : context) {
      n += m.tokens();
    }
    return n;
  }
}
