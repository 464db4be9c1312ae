package dev.engram.store;

import dev.engram.kernel.Addresses;
import dev.engram.model.ChatSession;
import dev.engram.model.Memory;
import dev.engram.model.MemoryEvent;
import dev.engram.model.MemoryFilter;
import dev.engram.store.MemoryProtocol.*;
import dev.engram.store.StoreProtocol.Done;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
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
    return this.<AppliedChanges>ask(Addresses.MEMORY_APPLY, new ApplyChanges(userId, scope, model, dedupe, changes))
        .map(AppliedChanges::results);
  }

  public Future<List<ScoredMemory>> search(String userId, Scope scope, float[] vector, MemoryFilter filter,
      int limit, Double threshold) {
    return search(userId, scope, null, vector, filter, limit, threshold);
  }

  /** A search over scope ids from {@link #scopes} (looked up while the query was being embedded). */
  public Future<List<ScoredMemory>> search(String userId, Scope scope, List<UUID> scopeIds, float[] vector,
      MemoryFilter filter, int limit, Double threshold) {
    return this.<FoundMemories>ask(Addresses.MEMORY_SEARCH,
        new SearchMemories(userId, scope, scopeIds, vector, filter, limit, threshold)).map(FoundMemories::found);
  }

  public Future<List<UUID>> scopes(String userId, Scope scope) {
    return this.<ScopeIds>ask(Addresses.MEMORY_SCOPES, new FindScopes(userId, scope)).map(ScopeIds::ids);
  }

  public Future<MemoryPage> list(String userId, Scope scope, String cursor, int limit) {
    return ask(Addresses.MEMORY_LIST, new ListMemories(userId, scope, cursor, limit));
  }

  public Future<Memory> get(String userId, String memoryId) {
    return this.<MemoryReply>ask(Addresses.MEMORY_GET, new GetMemory(userId, memoryId)).map(MemoryReply::memory);
  }

  public Future<Memory> update(String userId, String memoryId, String text, float[] vector,
      Map<String, Object> metadata, String model) {
    return this.<MemoryReply>ask(Addresses.MEMORY_UPDATE,
        new UpdateMemory(userId, memoryId, text, vector, metadata, model)).map(MemoryReply::memory);
  }

  public Future<Done> delete(String userId, String memoryId) {
    return ask(Addresses.MEMORY_DELETE, new DeleteMemory(userId, memoryId));
  }

  public Future<Long> deleteAll(String userId, Scope scope) {
    return this.<Deleted>ask(Addresses.MEMORY_DELETE_ALL, new DeleteMemories(userId, scope)).map(Deleted::count);
  }

  public Future<List<MemoryEvent>> history(String userId, String memoryId) {
    return this.<History>ask(Addresses.MEMORY_HISTORY, new HistoryOf(userId, memoryId)).map(History::events);
  }

  public Future<Long> reset(String userIdOrNullForAll) {
    return this.<Deleted>ask(Addresses.MEMORY_RESET, new ResetMemories(userIdOrNullForAll)).map(Deleted::count);
  }

  public Future<ChatSession> createSession(String userId, String externalUserId, String name) {
    return this.<SessionReply>ask(Addresses.SESSION_CREATE, new CreateSession(userId, externalUserId, name))
        .map(SessionReply::session);
  }

  public Future<ChatSession> session(String userId, String sessionId) {
    return this.<SessionReply>ask(Addresses.SESSION_GET, new GetSession(userId, sessionId))
        .map(SessionReply::session);
  }

  public Future<Long> deleteSession(String userId, String sessionId) {
    return this.<Deleted>ask(Addresses.SESSION_DELETE, new DeleteSession(userId, sessionId)).map(Deleted::count);
  }

  public Future<List<Memory>> recentMessages(String userId, String sessionId, int limit) {
    return this.<Memories>ask(Addresses.SESSION_RECENT, new RecentMessages(userId, sessionId, limit))
        .map(Memories::memories);
  }

  /** Succeeds when PostgreSQL answers within a few seconds. */
  public Future<Done> ping() {
    return vertx.eventBus().<Record>request(Addresses.STORE_PING, new Ping(), PING).map(m -> (Done) m.body());
  }

  @SuppressWarnings("unchecked")
  private <T> Future<T> ask(String address, Record request) {
    return vertx.eventBus().<Record>request(address, request, OPTIONS).map(m -> (T) m.body());
  }
}
