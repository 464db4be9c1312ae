package dev.engram.store;

import dev.engram.kernel.Endpoint;
import dev.engram.store.StoreProtocol.Done;
import dev.engram.model.ChatSession;
import dev.engram.model.Memory;
import dev.engram.model.MemoryEvent;
import dev.engram.model.MemoryFilter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Requests and replies of the persistence verticle for Mem0 memories and chat sessions. {@code userId} is always the
 * authenticated user (the tenant); {@link Scope} holds Mem0's own ids inside it.
 */
public final class MemoryProtocol {
  private MemoryProtocol() {}

  public static final Endpoint<ApplyChanges, AppliedChanges> MEMORY_APPLY =
      Endpoint.of("store.memory.apply", ApplyChanges.class, AppliedChanges.class);
  public static final Endpoint<SearchMemories, FoundMemories> MEMORY_SEARCH =
      Endpoint.of("store.memory.search", SearchMemories.class, FoundMemories.class);
  public static final Endpoint<FindScopes, ScopeIds> MEMORY_SCOPES =
      Endpoint.of("store.memory.scopes", FindScopes.class, ScopeIds.class);
  public static final Endpoint<ListMemories, MemoryPage> MEMORY_LIST =
      Endpoint.of("store.memory.list", ListMemories.class, MemoryPage.class);
  public static final Endpoint<GetMemory, MemoryReply> MEMORY_GET =
      Endpoint.of("store.memory.get", GetMemory.class, MemoryReply.class);
  public static final Endpoint<EditMemory, MemoryReply> MEMORY_UPDATE =
      Endpoint.of("store.memory.update", EditMemory.class, MemoryReply.class);
  public static final Endpoint<DeleteMemory, Done> MEMORY_DELETE =
      Endpoint.of("store.memory.delete", DeleteMemory.class, Done.class);
  public static final Endpoint<DeleteMemories, DeletedCount> MEMORY_DELETE_ALL =
      Endpoint.of("store.memory.delete-all", DeleteMemories.class, DeletedCount.class);
  public static final Endpoint<HistoryOf, History> MEMORY_HISTORY =
      Endpoint.of("store.memory.history", HistoryOf.class, History.class);
  public static final Endpoint<ResetMemories, DeletedCount> MEMORY_RESET =
      Endpoint.of("store.memory.reset", ResetMemories.class, DeletedCount.class);
  public static final Endpoint<PageMemories, NumberedPage> MEMORY_PAGE =
      Endpoint.of("store.memory.page", PageMemories.class, NumberedPage.class);
  public static final Endpoint<ListEntities, Entities> MEMORY_ENTITIES =
      Endpoint.of("store.memory.entities", ListEntities.class, Entities.class);
  public static final Endpoint<SaveExport, ExportReply> MEMORY_EXPORT_SAVE =
      Endpoint.of("store.memory.export-save", SaveExport.class, ExportReply.class);
  public static final Endpoint<FindExport, ExportReply> MEMORY_EXPORT_FIND =
      Endpoint.of("store.memory.export-find", FindExport.class, ExportReply.class);
  public static final Endpoint<AttachScope, ScopeAttachments> SCOPE_ATTACH =
      Endpoint.of("store.memory.scope-attach", AttachScope.class, ScopeAttachments.class);
  public static final Endpoint<AgentScopes, ScopeAttachments> SCOPE_OF_AGENT =
      Endpoint.of("store.memory.scope-of-agent", AgentScopes.class, ScopeAttachments.class);
  public static final Endpoint<CreateSession, SessionReply> SESSION_CREATE =
      Endpoint.of("store.session.create", CreateSession.class, SessionReply.class);
  public static final Endpoint<GetSession, SessionReply> SESSION_GET =
      Endpoint.of("store.session.get", GetSession.class, SessionReply.class);
  public static final Endpoint<DeleteSession, DeletedCount> SESSION_DELETE =
      Endpoint.of("store.session.delete", DeleteSession.class, DeletedCount.class);
  public static final Endpoint<RecentMessages, Memories> SESSION_RECENT =
      Endpoint.of("store.session.recent", RecentMessages.class, Memories.class);


  /** Mem0's user_id / agent_id / run_id; null parts match anything in queries and are stored as null. */
  public record Scope(String user, String agent, String run) {
    /**
     * The longest scope id taken: ids are indexed, and PostgreSQL refuses an index row over 2,704 bytes (a
     * 3,000-character id answered 500). 256 characters of up to 4 bytes each stay well below.
     */
    public static final int MAX_ID_CHARS = 256;

    public boolean isEmpty() {
      return user == null && agent == null && run == null;
    }

    /** The parts that are set, as Mem0 names them: {@code user_id=alice, run_id=r1}. */
    public String describe() {
      StringBuilder out = new StringBuilder();
      for (String[] part : new String[][] {{"user_id", user}, {"agent_id", agent}, {"run_id", run}}) {
        if (part[1] != null) {
          out.append(out.isEmpty() ? "" : ", ").append(part[0]).append('=').append(part[1]);
        }
      }
      return out.toString();
    }
  }

  /**
   * A memory to add; the id is chosen by the caller. {@code provenance} (may be null) says where it came from (see
   * {@link dev.engram.model.Memory}).
   */
  public record NewMemory(String id, String text, float[] vector, Map<String, Object> metadata, String actorId,
      String role, String memoryType, String sessionId, Instant expirationDate, Map<String, Object> provenance) {}

  /**
   * Which versions of the facts a search or listing sees: those that hold now (the default), those that held at
   * {@code asOf}, or with {@code includeSuperseded} every version, closed ones too. Expired ones stay hidden unless
   * {@code includeExpired} (the Mem0 platform's {@code show_expired}).
   */
  public record Validity(Instant asOf, boolean includeSuperseded, boolean includeExpired) {
    public static final Validity CURRENT = new Validity(null, false);

    public Validity(Instant asOf, boolean includeSuperseded) {
      this(asOf, includeSuperseded, false);
    }

    public boolean current() {
      return asOf == null && !includeSuperseded && !includeExpired;
    }

    public Validity withExpired(boolean shown) {
      return new Validity(asOf, includeSuperseded, shown);
    }
  }

  /**
   * One decided change: ADD a new memory, UPDATE one's text (re-embedded; {@code provenance} is where the new text
   * came from), or DELETE one.
   */
  public record Change(String event, NewMemory add, String memoryId, String text, float[] vector,
      Map<String, Object> provenance) {
    public static final String ADD = "ADD";
    public static final String UPDATE = "UPDATE";
    public static final String DELETE = "DELETE";

    public static Change add(NewMemory memory) {
      return new Change(ADD, memory, null, null, null, null);
    }

    public static Change update(String memoryId, String text, float[] vector, Map<String, Object> provenance) {
      return new Change(UPDATE, null, memoryId, text, vector, provenance);
    }

    public static Change delete(String memoryId) {
      return new Change(DELETE, null, memoryId, null, null, null);
    }
  }

  /**
   * Applies the changes in one transaction, each with its history row; with {@code dedupe} an ADD whose normalised
   * text already exists in the scope is skipped. Fails as a whole (nothing applied) when a named memory is gone.
   */
  public record ApplyChanges(String userId, Scope scope, String embeddingModel, boolean dedupe,
      List<Change> changes) {}

  /** What a change did, as Mem0 reports it; {@code previousMemory} only for UPDATE. */
  public record Applied(String id, String memory, String event, String previousMemory, String actorId, String role) {}
  public record AppliedChanges(List<Applied> results) {}

  /**
   * The memories of the scope most similar to {@code vector}, best first, each scored by cosine similarity clamped
   * to [0, 1]; {@code filter} and {@code threshold} may be null.
   */
  /** A search; {@code scopeIds} are the scope's ids when the caller looked them up already (else null). */
  /**
   * A search for {@code text} (may be null: then by {@code vector} alone) whose embedding is {@code vector}; with both,
   * the index ranks by hybrid search (BM25 and vector) and each hit's score is its cosine similarity to the query.
   */
  public record SearchMemories(String userId, Scope scope, List<UUID> scopeIds, String text, float[] vector,
      MemoryFilter filter, int limit, Double threshold, Validity validity) {}
  /** The ids of a user's scopes that a Mem0 scope selects. */
  public record FindScopes(String userId, Scope scope) {}
  public record ScopeIds(List<UUID> ids) {}
  public record ScoredMemory(Memory memory, double score) {}
  public record FoundMemories(List<ScoredMemory> found) {}

  /** Memories of the scope, oldest first, after {@code cursor} (opaque, from the previous page). */
  public record ListMemories(String userId, Scope scope, String cursor, int limit, Validity validity) {}
  public record MemoryPage(List<Memory> memories, String nextCursor) {}

  /**
   * A numbered page of the scope's memories under {@code filter} (may be null), oldest first: the Mem0 platform's
   * page/page_size listing. {@code total} counts every match.
   */
  public record PageMemories(String userId, Scope scope, MemoryFilter filter, Validity validity, int offset,
      int limit) {}
  public record NumberedPage(List<Memory> memories, long total) {}

  /** The Mem0 ids (user, agent, run) under which a user holds current memories. */
  public record ListEntities(String userId) {}
  /** One Mem0 id: its kind ({@code user}, {@code agent} or {@code run}), how many memories it holds and when. */
  public record Entity(String type, String name, long memories, Instant firstAt, Instant lastAt) {}
  public record Entities(List<Entity> entities) {}

  /** Keeps an export's document (a JSON object) under its id, with the filters and schema it was made with. */
  public record SaveExport(String userId, String id, Map<String, Object> filters, Map<String, Object> schema,
      Map<String, Object> document) {}
  /** An export by id, or (with a null id) the latest one made with exactly {@code filters}. */
  public record FindExport(String userId, String exportId, Map<String, Object> filters) {}
  public record ExportReply(Map<String, Object> document) {}

  public record GetMemory(String userId, String memoryId) {}
  public record MemoryReply(Memory memory) {}

  /**
   * A manual edit, in place (not a new version of the fact): new text (with its vector) and/or metadata merged into
   * the old; a null field is left as it is. {@code clearExpiration} removes the expiration date (the platform's
   * {@code "expiration_date": null}).
   */
  public record EditMemory(String userId, String memoryId, String text, float[] vector,
      Map<String, Object> metadata, String embeddingModel, Instant expirationDate, boolean clearExpiration) {}
  public record DeleteMemory(String userId, String memoryId) {}

  /** Deletes every memory of the scope (however many). */
  public record DeleteMemories(String userId, Scope scope) {}
  public record DeletedCount(long count) {}

  public record HistoryOf(String userId, String memoryId) {}
  public record History(List<MemoryEvent> events) {}

  /** Removes the memories, history and sessions of one user, or of every user when {@code userId} is null. */
  public record ResetMemories(String userId) {}

  // Mem0 scopes attached to agents
  /**
   * A Mem0 scope attached to an agent: the agent's archival search also ranks the memories the scope selects (a null
   * part matches any value), and with {@code archivalInserts} its own archival inserts become memories of the scope.
   */
  public record ScopeAttachment(String agentId, Scope scope, boolean archivalInserts, Instant attachedAt) {}
  /**
   * Attaches {@code scope} to an agent of {@code userId} (again: {@code archivalInserts} replaces the flag; set, it
   * is taken from the agent's other attachments), or detaches it; answers the agent's attachments after the change.
   */
  public record AttachScope(String userId, String agentId, Scope scope, boolean archivalInserts, boolean attach) {}
  /** The Mem0 scopes attached to an agent of {@code userId}, in the order they were attached. */
  public record AgentScopes(String userId, String agentId) {}
  public record ScopeAttachments(List<ScopeAttachment> attachments) {}

  // sessions of the semantic-memory chat API
  public record CreateSession(String userId, String externalUserId, String name) {}
  public record GetSession(String userId, String sessionId) {}
  public record DeleteSession(String userId, String sessionId) {}
  public record SessionReply(ChatSession session) {}
  /** The session's last {@code limit} messages, oldest first. */
  public record RecentMessages(String userId, String sessionId, int limit) {}
  public record Memories(List<Memory> memories) {}

  /** Answers when the database answers a trivial query. */
}
