package dev.engram.store;

import static dev.engram.store.MemoryProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.ChatSession;
import dev.engram.model.Memory;
import dev.engram.model.MemoryEvent;
import dev.engram.model.MemoryFilter;
import dev.engram.store.StoreProtocol.Done;
import dev.engram.store.StoreProtocol.Ping;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Typed access to the persistence verticle's memory and chat-session addresses over the event bus. */
public final class MemoryClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(60_000);
  private static final DeliveryOptions PING = new DeliveryOptions().setSendTimeout(3_000);

  private final Vertx vertx;

  public MemoryClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<List<Applied>> apply(String userId, Scope scope, String model, boolean dedupe, List<Change> changes) {
    return ask(MEMORY_APPLY, new ApplyChanges(userId, scope, model, dedupe, changes))
        .map(AppliedChanges::results);
  }

  /** The facts that hold now, best first for {@code text}, whose embedding is {@code vector}. */
  public Future<List<ScoredMemory>> search(String userId, Scope scope, String text, float[] vector,
      MemoryFilter filter, int limit, Double threshold) {
    return search(userId, scope, null, text, vector, filter, limit, threshold, Validity.CURRENT);
  }

  /** A search over scope ids from {@link #scopes} (looked up while the query was being embedded). */
  public Future<List<ScoredMemory>> search(String userId, Scope scope, List<UUID> scopeIds, String text,
      float[] vector, MemoryFilter filter, int limit, Double threshold, Validity validity) {
    return ask(MEMORY_SEARCH, new SearchMemories(userId, scope, scopeIds, text, vector, filter, limit, threshold,
        validity)).map(FoundMemories::found);
  }

  public Future<List<UUID>> scopes(String userId, Scope scope) {
    return ask(MEMORY_SCOPES, new FindScopes(userId, scope)).map(ScopeIds::ids);
  }

  public Future<MemoryPage> list(String userId, Scope scope, String cursor, int limit, Validity validity) {
    return ask(MEMORY_LIST, new ListMemories(userId, scope, cursor, limit, validity));
  }

  public Future<NumberedPage> page(String userId, Scope scope, MemoryFilter filter, Validity validity, int offset,
      int limit) {
    return ask(MEMORY_PAGE, new PageMemories(userId, scope, filter, validity, offset, limit));
  }

  public Future<List<Entity>> entities(String userId) {
    return ask(MEMORY_ENTITIES, new ListEntities(userId)).map(Entities::entities);
  }

  public Future<Map<String, Object>> saveExport(String userId, String id, Map<String, Object> filters,
      Map<String, Object> schema, Map<String, Object> document) {
    return ask(MEMORY_EXPORT_SAVE, new SaveExport(userId, id, filters, schema, document)).map(ExportReply::document);
  }

  public Future<Map<String, Object>> findExport(String userId, String exportId, Map<String, Object> filters) {
    return ask(MEMORY_EXPORT_FIND, new FindExport(userId, exportId, filters)).map(ExportReply::document);
  }

  public Future<Memory> get(String userId, String memoryId) {
    return ask(MEMORY_GET, new GetMemory(userId, memoryId)).map(MemoryReply::memory);
  }

  public Future<Memory> update(String userId, String memoryId, String text, float[] vector,
      Map<String, Object> metadata, String model, Instant expirationDate) {
    return update(userId, memoryId, text, vector, metadata, model, expirationDate, false);
  }

  /** As above; {@code clearExpiration} removes the memory's expiration date. */
  public Future<Memory> update(String userId, String memoryId, String text, float[] vector,
      Map<String, Object> metadata, String model, Instant expirationDate, boolean clearExpiration) {
    return ask(MEMORY_UPDATE, new EditMemory(userId, memoryId, text, vector, metadata, model, expirationDate,
        clearExpiration)).map(MemoryReply::memory);
  }

  public Future<Done> delete(String userId, String memoryId) {
    return ask(MEMORY_DELETE, new DeleteMemory(userId, memoryId));
  }

  public Future<Long> deleteAll(String userId, Scope scope) {
    return ask(MEMORY_DELETE_ALL, new DeleteMemories(userId, scope)).map(DeletedCount::count);
  }

  public Future<List<MemoryEvent>> history(String userId, String memoryId) {
    return ask(MEMORY_HISTORY, new HistoryOf(userId, memoryId)).map(History::events);
  }

  public Future<Long> reset(String userIdOrNullForAll) {
    return ask(MEMORY_RESET, new ResetMemories(userIdOrNullForAll)).map(DeletedCount::count);
  }

  /** Attaches (or detaches) a Mem0 scope to an agent; the agent's attachments after the change. */
  public Future<List<ScopeAttachment>> attachScope(String userId, String agentId, Scope scope,
      boolean archivalInserts, boolean attach) {
    return ask(SCOPE_ATTACH, new AttachScope(userId, agentId, scope, archivalInserts, attach))
        .map(ScopeAttachments::attachments);
  }

  /** The Mem0 scopes attached to an agent (404 when the agent is not the user's). */
  public Future<List<ScopeAttachment>> scopesOf(String userId, String agentId) {
    return ask(SCOPE_OF_AGENT, new AgentScopes(userId, agentId)).map(ScopeAttachments::attachments);
  }

  public Future<ChatSession> createSession(String userId, String externalUserId, String name) {
    return ask(SESSION_CREATE, new CreateSession(userId, externalUserId, name))
        .map(SessionReply::session);
  }

  public Future<ChatSession> session(String userId, String sessionId) {
    return ask(SESSION_GET, new GetSession(userId, sessionId))
        .map(SessionReply::session);
  }

  public Future<Long> deleteSession(String userId, String sessionId) {
    return ask(SESSION_DELETE, new DeleteSession(userId, sessionId)).map(DeletedCount::count);
  }

  public Future<List<Memory>> recentMessages(String userId, String sessionId, int limit) {
    return ask(SESSION_RECENT, new RecentMessages(userId, sessionId, limit))
        .map(Memories::memories);
  }

  /** Succeeds when PostgreSQL answers within a few seconds. */
  public Future<Done> ping() {
    return StoreProtocol.PING.ask(vertx, new Ping(), PING);
  }

  /** The entries of each search index; answered only once the store is ready (migrated, indexes caught up). */
  public Future<StoreProtocol.IndexSizes> indexSizes() {
    return StoreProtocol.INDEX_SIZES.ask(vertx, new Ping(), PING);
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
