package dev.engram.http.memory;

import dev.engram.kernel.Times;
import dev.engram.model.ChatSession;
import dev.engram.model.Memory;
import dev.engram.model.MemoryEvent;
import dev.engram.store.MemoryProtocol.Applied;
import dev.engram.store.MemoryProtocol.ScoredMemory;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;

/** JSON shapes of the memory APIs: Mem0's MemoryItem, add results and history rows; seed 003's memories and sessions. */
public final class MemoryViews {
  private MemoryViews() {}

  /** How an item shows its score: absent (listings), null (get one), or a number (search). */
  enum Score { ABSENT, NULL, PRESENT }

  /**
   * Mem0's MemoryItem: id, memory, hash, metadata (null when empty), score, created_at, updated_at, then user_id,
   * agent_id, run_id, actor_id and role when set; after them the fact's valid_from, valid_to and expiration_date
   * (null when not set), superseded_by for an earlier version of a fact, pending_event_id for a raw message of an
   * asynchronous add that is still being extracted, and provenance.
   */
  static JsonObject item(Memory m, Score scoreShown, double score) {
    JsonObject json = new JsonObject().put("id", m.id()).put("memory", m.text()).put("hash", m.hash())
        .put("metadata", m.metadata().isEmpty() ? null : new JsonObject(m.metadata()));
    if (scoreShown == Score.NULL) {
      json.putNull("score");
    } else if (scoreShown == Score.PRESENT) {
      json.put("score", score);
    }
    json.put("created_at", Times.iso(m.createdAt())).put("updated_at", Times.iso(m.updatedAt()));
    putIfSet(json, "user_id", m.scopeUser());
    putIfSet(json, "agent_id", m.scopeAgent());
    putIfSet(json, "run_id", m.scopeRun());
    putIfSet(json, "actor_id", m.actorId());
    putIfSet(json, "role", m.role());
    // ours, after Mem0's own keys
    json.put("valid_from", Times.iso(m.validFrom())).put("valid_to", Times.iso(m.validTo()))
        .put("expiration_date", Times.iso(m.expirationDate()));
    putIfSet(json, "superseded_by", m.supersededBy());
    // a raw message of an asynchronous add, until the facts extracted from it replace it
    putIfSet(json, "pending_event_id", m.pendingEvent());
    return json.put("provenance", provenance(m));
  }

  /**
   * Where the memory came from (see {@link dev.engram.model.Provenance}); null for memories stored before it was
   * kept. A top-level key of ours, like valid_from: the mem0ai clients hand items through as they come.
   */
  static JsonObject provenance(Memory m) {
    return m.provenance().isEmpty() ? null : new JsonObject(new LinkedHashMap<>(m.provenance()));
  }

  static JsonObject scored(ScoredMemory f) {
    return item(f.memory(), Score.PRESENT, f.score());
  }

  /** A semantic-memory search hit (seed 003): id, key, value {role, content, session_id}, timestamp, score. */
  static JsonObject seedMemory(ScoredMemory f) {
    Memory m = f.memory();
    String session = m.sessionId() != null ? m.sessionId() : m.scopeRun();
    return new JsonObject().put("id", m.id()).put("key", m.id())
        .put("value", new JsonObject().put("role", m.role() != null ? m.role() : "memory").put("content", m.text())
            .put("session_id", session))
        .put("timestamp", Times.iso(m.createdAt())).put("score", f.score()).put("provenance", provenance(m));
  }

  /** One add result: ADD/UPDATE/DELETE with the memory text; previous_memory on UPDATE; role/actor of messages. */
  static JsonObject applied(Applied a) {
    JsonObject json = new JsonObject().put("id", a.id()).put("memory", a.memory()).put("event", a.event());
    if (a.previousMemory() != null) {
      json.put("previous_memory", a.previousMemory());
    }
    if (a.role() != null) {
      json.put("actor_id", a.actorId()).put("role", a.role());
    }
    return json;
  }

  static JsonObject history(MemoryEvent e) {
    return new JsonObject().put("id", e.id()).put("memory_id", e.memoryId()).put("old_memory", e.oldMemory())
        .put("new_memory", e.newMemory()).put("event", e.event()).put("created_at", Times.iso(e.createdAt()))
        .put("updated_at", Times.iso(e.updatedAt())).put("is_deleted", e.isDeleted()).put("actor_id", e.actorId())
        .put("role", e.role());
  }

  static JsonObject session(ChatSession s) {
    return new JsonObject().put("session_id", s.id()).put("user_id", s.externalUserId())
        .put("session_name", s.name()).put("created_at", Times.iso(s.createdAt()))
        .put("message_count", s.messageCount());
  }

  private static void putIfSet(JsonObject json, String key, String value) {
    if (value != null) {
      json.put(key, value);
    }
  }
}
