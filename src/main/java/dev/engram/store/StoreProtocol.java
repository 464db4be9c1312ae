package dev.engram.store;

import dev.engram.kernel.Notice;
import dev.engram.cluster.Fence;
import dev.engram.kernel.Endpoint;
import dev.engram.model.Agent;
import dev.engram.model.AgentSummary;
import dev.engram.model.Block;
import dev.engram.model.Message;
import dev.engram.model.Run;
import dev.engram.model.RunProgress;
import dev.engram.model.StepEvent;
import java.time.Instant;
import java.util.List;

/** Requests and replies of the persistence verticle. Each request record travels to its own address. */
public final class StoreProtocol {
  private StoreProtocol() {}

  public static final Endpoint<CreateUser, UserCreated> USER_CREATE =
      Endpoint.of("store.user.create", CreateUser.class, UserCreated.class);
  public static final Endpoint<ListUsers, UserIds> USER_LIST =
      Endpoint.of("store.user.list", ListUsers.class, UserIds.class);
  public static final Endpoint<DeleteUser, Done> USER_DELETE =
      Endpoint.of("store.user.delete", DeleteUser.class, Done.class);
  public static final Endpoint<UserExists, ResolvedUser> USER_EXISTS =
      Endpoint.of("store.user.exists", UserExists.class, ResolvedUser.class);
  public static final Endpoint<CreateKey, KeyCreated> KEY_CREATE =
      Endpoint.of("store.key.create", CreateKey.class, KeyCreated.class);
  public static final Endpoint<ListKeys, KeyHints> KEY_LIST =
      Endpoint.of("store.key.list", ListKeys.class, KeyHints.class);
  public static final Endpoint<DeleteKey, Done> KEY_DELETE =
      Endpoint.of("store.key.delete", DeleteKey.class, Done.class);
  public static final Endpoint<ResolveKey, ResolvedUser> KEY_RESOLVE =
      Endpoint.of("store.key.resolve", ResolveKey.class, ResolvedUser.class);
  public static final Endpoint<InsertAgent, Done> AGENT_INSERT =
      Endpoint.of("store.agent.insert", InsertAgent.class, Done.class);
  public static final Endpoint<LoadAgent, LoadedAgent> AGENT_LOAD =
      Endpoint.of("store.agent.load", LoadAgent.class, LoadedAgent.class);
  public static final Endpoint<ListAgents, AgentList> AGENT_LIST =
      Endpoint.of("store.agent.list", ListAgents.class, AgentList.class);
  public static final Endpoint<RemoveAgent, Done> AGENT_DELETE =
      Endpoint.of("store.agent.delete", RemoveAgent.class, Done.class);
  public static final Endpoint<SaveAgent, Done> AGENT_SAVE =
      Endpoint.of("store.agent.save", SaveAgent.class, Done.class);
  public static final Endpoint<UpdateAgentSettings, Done> AGENT_UPDATE_SETTINGS =
      Endpoint.of("store.agent.update-settings", UpdateAgentSettings.class, Done.class);
  public static final Endpoint<PageMessages, Messages> MESSAGE_PAGE =
      Endpoint.of("store.message.page", PageMessages.class, Messages.class);
  public static final Endpoint<CursorMessages, Messages> MESSAGE_CURSOR =
      Endpoint.of("store.message.cursor", CursorMessages.class, Messages.class);
  public static final Endpoint<HistoryPage, HistoryMessages> MESSAGE_HISTORY =
      Endpoint.of("store.message.history", HistoryPage.class, HistoryMessages.class);
  public static final Endpoint<SearchMessages, Messages> MESSAGE_SEARCH =
      Endpoint.of("store.message.search", SearchMessages.class, Messages.class);
  public static final Endpoint<GetMessage, OneMessage> MESSAGE_GET =
      Endpoint.of("store.message.get", GetMessage.class, OneMessage.class);
  public static final Endpoint<RewriteMessage, Done> MESSAGE_REWRITE =
      Endpoint.of("store.message.rewrite", RewriteMessage.class, Done.class);
  public static final Endpoint<Ping, Done> PING = Endpoint.of("store.ping", Ping.class, Done.class);
  /**
   * The entries of each search index. Served only once the migrations have run and the indexes have caught up with
   * the database (the store registers its addresses after both), so an answer means the store is ready.
   */
  public static final Endpoint<Ping, IndexSizes> INDEX_SIZES =
      Endpoint.of("store.index.sizes", Ping.class, IndexSizes.class);
  /** Published when an API key or user is revoked, so that cached credentials and agents are dropped. */
  public static final Notice<AuthRevoked> AUTH_REVOKED = Notice.of("auth.revoked", AuthRevoked.class);


  // users and keys
  public record CreateUser(String userId, String keyName) {}
  public record UserCreated(String userId, String apiKey) {}
  public record ListUsers() {}
  public record UserIds(List<String> userIds) {}
  public record DeleteUser(String userId) {}
  public record CreateKey(String userId, String name) {}
  public record KeyCreated(String apiKey) {}
  public record ListKeys(String userId) {}
  public record KeyHints(List<String> hints) {}
  public record DeleteKey(String apiKey) {}
  public record ResolveKey(String apiKey) {}
  public record UserExists(String userId) {}
  /** The user a credential belongs to; null when it belongs to nobody. */
  public record ResolvedUser(String userId) {}

  // agents
  /**
   * A new agent with its first messages. Its memory's blocks are linked to it in order; those in {@code newBlocks}
   * are created with it, the others must exist and be the user's.
   */
  public record InsertAgent(Agent agent, List<Block> newBlocks, List<Message> messages) {}
  /** Writes the agent's settings ({@link Agent.Settings}) and updated_at; 409 when its new name is taken. */
  public record UpdateAgentSettings(Agent agent) {}
  public record LoadAgent(String agentId) {}
  /**
   * An agent with its in-context messages (in context order), recall size and archival size (its passages and those
   * of attached sources); {@code agent} null if unknown.
   */
  public record LoadedAgent(Agent agent, List<Message> inContext, long recallCount, long archivalCount) {}
  public record ListAgents(String userId) {}
  public record AgentList(List<AgentSummary> agents) {}
  /** Deletes an agent's rows (the agent verticle checked the owner). */
  public record RemoveAgent(String agentId) {}
  /**
   * Appends {@code newMessages} to recall and writes the agent's state, in one transaction. {@code storedContext} is
   * how many leading ids of {@code agent.inContextIds()} the caller knows to be stored already (from its last save), so
   * only the others are sent; the store checks the claim and writes the whole list when it does not hold. 0 writes
   * the whole list. A save of a conversation's thread ({@code conversationId}, null for the agent's own) writes its
   * messages and run into it and its context into the conversation, not the agent.
   */
  public record SaveAgent(Agent agent, List<Message> newMessages, int storedContext, RunWrite run,
      String conversationId, Fence fence) {
    public SaveAgent(Agent agent, List<Message> newMessages, int storedContext) {
      this(agent, newMessages, storedContext, null, null, Fence.NONE);
    }

    public SaveAgent(Agent agent, List<Message> newMessages, int storedContext, RunWrite run, String conversationId) {
      this(agent, newMessages, storedContext, run, conversationId, Fence.NONE);
    }
  }
  /**
   * What a save writes about the run its messages belong to, in the same transaction: the events of the step (to be
   * replayed later), and {@code row} when the save starts the run's row or ends the run (null in between);
   * {@code progress}, stored with the events, says where the run stands after the step they are of (null for a write
   * that is not a step's).
   */
  public record RunWrite(String runId, List<StepEvent> events, Run row, RunProgress progress) {}

  // recall
  public record PageMessages(String userId, String agentId, int start, int count) {}
  public record CursorMessages(String userId, String agentId, String before, String after, int limit) {}
  /**
   * A page of a thread's history (the agent's own, or conversation {@code conversationId} of it) in stored order: the
   * messages after {@code lower} and before {@code upper} (ids, exclusive, either null), the {@code limit} nearest to
   * {@code lower} (oldest first) when {@code fromLower}, else the nearest to {@code upper} (newest first). A bound
   * that names no message of the thread is a 404.
   */
  public record HistoryPage(String userId, String agentId, String conversationId, String lower, String upper,
      boolean fromLower, int limit) {}
  /** A recall search in one thread: the agent's own ({@code conversationId} null) or a conversation's. */
  public record SearchMessages(String agentId, String conversationId, String query, Instant from, Instant to,
      int offset, int limit) {}
  /** Messages newest first; {@code inContext} holds the ids among them that are in the context window. */
  public record Messages(List<Message> messages, List<String> inContext, long total) {}
  /**
   * A page of history (see {@link HistoryPage}), with the tools of its agent as they are now: whether the agent
   * speaks through send_message decides how its messages read (see {@code Agent.speaksInText}).
   */
  public record HistoryMessages(List<Message> messages, List<String> agentTools) {}
  /** One stored message of an agent of the user (404 otherwise). */
  public record GetMessage(String userId, String agentId, String messageId) {}
  public record OneMessage(Message message) {}
  /**
   * Writes a stored message's new text, name and token count (its other fields stay), and its recall-index entry;
   * 404 when the agent has no such message (any more).
   */
  public record RewriteMessage(Message message) {}

  public record Done() {}
  public record Ping() {}
  /** Entries per index name (archival, recall, memories). */
  public record IndexSizes(java.util.Map<String, Long> entries) {}
  /** A user whose credentials (a key, or the user itself) were revoked. */
  public record AuthRevoked(String userId) {}
}
