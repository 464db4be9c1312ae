package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Times;
import dev.engram.model.Memory;
import dev.engram.model.Provenance;
import dev.engram.store.MemoryProtocol.*;
import dev.engram.store.StoreProtocol.Done;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Mem0 memories in PostgreSQL (the truth, with a history row for every change) mirrored into the "memories" index,
 * where each memory's owner is its scope id: a user's reads, edits and deletes, each write one transaction with the
 * index writes following the commit. The add pipeline's changes are {@link MemoryChanges}'.
 */
final class MemoryRepository {
  private static final String LOCK_ROW = """
      select text, scope_id, created_at, actor_id, role, valid_to from memories where id = $1 and user_id = $2
      for update""";
  /**
   * The version of a fact that a newer one supersedes, kept as a closed row of its own: a new id ($3), the old text,
   * vector and times, valid until now ($4), naming the fact it became.
   */
  private static final String KEEP_VERSION = """
      insert into memories(id, user_id, scope_id, scope_user, scope_agent, scope_run, session_id, actor_id, role,
                           memory_type, text, hash, norm_hash, metadata, embedding, embedding_model, created_at,
                           updated_at, valid_from, valid_to, expiration_date, superseded_by, provenance)
      select $3, user_id, scope_id, scope_user, scope_agent, scope_run, session_id, actor_id, role, memory_type, text,
             hash, norm_hash, metadata, embedding, embedding_model, created_at, $4, valid_from, $4, expiration_date, id,
             provenance
      from memories where id = $1 and user_id = $2
      returning seq, id, text, embedding""";
  /** A changed memory gets a new seq, so that an index that missed the change catches up from the seq. */
  private static final String UPDATE = """
      update memories set text = coalesce($3, text), hash = coalesce($4, hash), norm_hash = coalesce($5, norm_hash),
        embedding = coalesce($6, embedding), embedding_model = coalesce($7, embedding_model),
        metadata = metadata || coalesce($8, '{}'::jsonb), updated_at = $9, valid_from = coalesce($10, valid_from),
        expiration_date = case when $12 then null else coalesce($11, expiration_date) end,
        provenance = coalesce($13, provenance), seq = nextval(pg_get_serial_sequence('memories', 'seq'))
      where id = $1 and user_id = $2
      returning seq, embedding, """ + MemoryRows.COLUMNS;
  private static final String UPDATE_HISTORY = """
      insert into memory_history(id, user_id, memory_id, old_memory, new_memory, event, created_at, updated_at,
                                 actor_id, role)
      values (gen_random_uuid(), $2, $1, $3, $4, 'UPDATE', $5, $6, $7, $8)""";
  /** Deletes the matching memories and writes their DELETE history rows; returns the deleted ids. */
  private static final String DELETE_WHERE = """
      with gone as (delete from memories m where %s returning id, user_id, text, created_at, actor_id, role)
      insert into memory_history(id, user_id, memory_id, old_memory, new_memory, event, created_at, updated_at,
                                 is_deleted, actor_id, role)
      select gen_random_uuid(), user_id, id, text, null, 'DELETE', created_at, now(), true, actor_id, role from gone
      returning memory_id, old_memory""";
  static final String DELETE_ONE = DELETE_WHERE.formatted("m.id = $1 and m.user_id = $2");
  /** A memory with the versions it superseded. */
  private static final String DELETE_FACT = DELETE_WHERE.formatted(
      "m.user_id = $2 and (m.id = $1 or m.superseded_by = $1)");
  private static final String DELETE_SCOPES = DELETE_WHERE.formatted("m.user_id = $1 and m.scope_id = any($2)");
  private static final String GET = "select " + MemoryRows.COLUMNS + " from memories where id = $1 and user_id = $2";
  private static final String LIST = "select " + MemoryRows.COLUMNS + " from memories m"
      + " where user_id = $1 and scope_id = any($2) and ($3::timestamptz is null or (created_at, id) > ($3, $4))"
      + " and %s order by created_at, id limit $5";
  /** The history of the fact a memory is a version of (a superseded version shows its fact's whole chain). */
  private static final String HISTORY = "select " + MemoryRows.HISTORY_COLUMNS + " from memory_history"
      + " where memory_id = coalesce((select superseded_by from memories where id = $1 and user_id = $2), $1)"
      + " and user_id = $2 order by seq";

  private final Pool pool;
  private final PassageIndex index;
  private final MemoryScopes scopes;

  MemoryRepository(Pool pool, PassageIndex index, MemoryScopes scopes) {
    this.pool = pool;
    this.index = index;
    this.scopes = scopes;
  }

  /** A memory as an update left it, with its text before and its index entry. */
  record Updated(Memory memory, String oldText, IndexedPassage entry) {}

  /**
   * Locks the row, updates it and writes the UPDATE history row; fails 404 when the memory is gone. With
   * {@code versions} (the pipeline's supersede), the row must be a current fact, its version until now is kept as a
   * closed row added to {@code versions}, and the new text is valid from now; without, the edit is in place.
   */
  Future<Updated> updateRow(SqlConnection conn, UUID tenant, String memoryId, String text, float[] vector,
      Map<String, Object> metadata, String model, Instant expirationDate, boolean clearExpiration,
      Map<String, Object> provenance, List<IndexedPassage> versions) {
    UUID id = Ids.parse(memoryId);
    if (id == null) {
      return Future.failedFuture(notFound(memoryId));
    }
    return conn.preparedQuery(LOCK_ROW).execute(Tuple.of(id, tenant)).compose(locked -> {
      boolean supersede = versions != null;
      if (locked.size() == 0 || supersede && locked.iterator().next().getValue("valid_to") != null) {
        return Future.failedFuture(notFound(memoryId));
      }
      Row old = locked.iterator().next();
      String oldText = old.getString("text");
      OffsetDateTime now = Rows.offset(Times.now());
      Tuple t = Tuple.of(id, tenant, text, text == null ? null : MemoryRows.md5(text),
              text == null ? null : MemoryRows.normalisedHash(text))
          .addArrayOfFloat(vector == null ? null : ArchivalRows.boxed(vector)).addValue(vector == null ? null : model)
          .addValue(metadata == null ? null : new JsonObject(new HashMap<>(metadata))).addValue(now)
          .addValue(supersede ? now : null)
          .addValue(expirationDate == null ? null : Rows.offset(expirationDate)).addValue(clearExpiration)
          .addValue(provenance == null ? null : new JsonObject(new HashMap<>(provenance)));
      Future<?> kept = !supersede ? Future.succeededFuture()
          : conn.preparedQuery(KEEP_VERSION).execute(Tuple.of(id, tenant, UUID.randomUUID(), now)).map(rows -> {
            Row r = rows.iterator().next();
            versions.add(new IndexedPassage(r.getUUID("id"), r.getLong("seq"), tenant, old.getUUID("scope_id"),
                r.getString("text"), ArchivalRows.unboxed(r.getArrayOfFloats("embedding"))));
            return null;
          });
      return kept.compose(v -> conn.preparedQuery(UPDATE).execute(t)).compose(rows -> {
        Row r = rows.iterator().next();
        Memory memory = MemoryRows.memory(r);
        IndexedPassage entry = new IndexedPassage(id, r.getLong("seq"), tenant, old.getUUID("scope_id"),
            memory.text(), ArchivalRows.unboxed(r.getArrayOfFloats("embedding")));
        return conn.preparedQuery(UPDATE_HISTORY).execute(Tuple.of(id, tenant, oldText, memory.text(),
                old.getOffsetDateTime("created_at"), now).addValue(memory.actorId()).addValue(memory.role()))
            .map(v -> new Updated(memory, oldText, entry));
      });
    });
  }

  Future<MemoryReply> get(GetMemory req) {
    UUID tenant = UUID.fromString(req.userId());
    UUID id = memoryUuid(req.memoryId());
    return pool.preparedQuery(GET).execute(Tuple.of(id, tenant)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(notFound(req.memoryId()))
        : Future.succeededFuture(new MemoryReply(MemoryRows.memory(rows.iterator().next()))));
  }

  Future<MemoryReply> update(EditMemory req) {
    UUID tenant = UUID.fromString(req.userId());
    // a new text is the caller's own: it no longer comes from what the memory was extracted from
    Map<String, Object> provenance = req.text() == null ? null : Provenance.of(Provenance.EDIT, Times.now());
    return pool.withTransaction(conn -> updateRow(conn, tenant, req.memoryId(), req.text(), req.vector(),
            req.metadata(), req.embeddingModel(), req.expirationDate(), req.clearExpiration(), provenance, null))
        .compose(u -> mirror(tenant, List.of(u.entry()), List.of(), "memory update").map(new MemoryReply(u.memory())));
  }

  /** Deletes a memory with the versions it superseded (the versions are the fact's past, and go with it). */
  Future<Done> delete(DeleteMemory req) {
    UUID tenant = UUID.fromString(req.userId());
    UUID id = memoryUuid(req.memoryId());
    return pool.preparedQuery(DELETE_FACT).execute(Tuple.of(id, tenant)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(notFound(req.memoryId()))
        : mirror(tenant, List.of(), UserRepository.collect(rows, r -> r.getUUID("memory_id")), "memory delete")
            .map(new Done()));
  }

  Future<DeletedCount> deleteAll(DeleteMemories req) {
    UUID tenant = UUID.fromString(req.userId());
    return scopes.matching(tenant, req.scope())
        .compose(ids -> pool.preparedQuery(DELETE_SCOPES)
            .execute(Tuple.of(tenant, (Object) ids.toArray(UUID[]::new))))
        .compose(rows -> {
          List<UUID> gone = UserRepository.collect(rows, r -> r.getUUID(0));
          return mirror(tenant, List.of(), gone, "memory delete-all").map(new DeletedCount(gone.size()));
        });
  }

  Future<MemoryPage> list(ListMemories req) {
    UUID tenant = UUID.fromString(req.userId());
    Object[] after;
    try {
      after = req.cursor() == null ? new Object[] {null, null} : MemoryRows.position(req.cursor());
    } catch (RuntimeException e) {
      return Future.failedFuture(ApiException.unprocessable("cursor is not one this server gave out"));
    }
    List<Object> params = new ArrayList<>(Arrays.asList(tenant, null, after[0], after[1], req.limit() + 1));
    String sql = LIST.formatted(MemoryValidity.sql(req.validity(), params));
    return scopes.matching(tenant, req.scope())
        .compose(ids -> {
          params.set(1, ids.toArray(UUID[]::new));
          return pool.preparedQuery(sql).execute(Tuple.from(params));
        })
        .map(rows -> {
          List<Memory> page = UserRepository.collect(rows, MemoryRows::memory);
          if (page.size() <= req.limit()) {
            return new MemoryPage(page, null);
          }
          List<Memory> kept = page.subList(0, req.limit());
          return new MemoryPage(List.copyOf(kept), MemoryRows.cursor(kept.get(kept.size() - 1)));
        });
  }

  Future<History> history(HistoryOf req) {
    UUID tenant = UUID.fromString(req.userId());
    UUID id = memoryUuid(req.memoryId());
    return pool.preparedQuery(HISTORY).execute(Tuple.of(id, tenant)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(notFound(req.memoryId()))
        : Future.succeededFuture(new History(UserRepository.collect(rows, MemoryRows::event))));
  }

  /** Removes one user's memories, history, sessions, scopes, exports and add events, or everyone's. */
  Future<DeletedCount> reset(ResetMemories req) {
    if (req.userId() == null) {
      return pool.query("select count(*) from memories").execute()
          .compose(count -> pool.query("truncate memories, memory_history, chat_sessions, memory_scopes, memory_exports,"
              + " memory_add_events").execute()
              .compose(v -> IndexSync.bestEffort(index.clear(), "memory reset"))
              .map(v -> new DeletedCount(count.iterator().next().getLong(0))));
    }
    UUID tenant = UUID.fromString(req.userId());
    return pool.withTransaction(conn -> conn.preparedQuery("delete from memories where user_id = $1").execute(
            Tuple.of(tenant))
        .compose(gone -> conn.preparedQuery("delete from memory_history where user_id = $1").execute(Tuple.of(tenant))
            .compose(v -> conn.preparedQuery("delete from chat_sessions where user_id = $1").execute(Tuple.of(tenant)))
            .compose(v -> conn.preparedQuery("delete from memory_scopes where user_id = $1").execute(Tuple.of(tenant)))
            .compose(v -> conn.preparedQuery("delete from memory_exports where user_id = $1").execute(Tuple.of(tenant)))
            .compose(v -> conn.preparedQuery("delete from memory_add_events where user_id = $1")
                .execute(Tuple.of(tenant)))
            .map(v -> (long) gone.rowCount())))
        .compose(n -> IndexSync.bestEffort(index.deleteUser(tenant), "memory reset").map(new DeletedCount(n)));
  }

  /** Index writes after a commit (best effort: the index is caught up from the table at the next start). */
  Future<Void> mirror(UUID tenant, List<IndexedPassage> upserts, List<UUID> deletes, String what) {
    Future<Void> up = upserts.isEmpty() ? Future.succeededFuture() : index.upsert(upserts);
    return IndexSync.bestEffort(up.compose(v -> deletes.isEmpty() ? Future.succeededFuture()
        : index.delete(tenant, deletes)), what);
  }

  /**
   * The id as a UUID; an id that is not one names no memory (404, as an unknown one). Throws: for handlers served by
   * the endpoint, which turns the exception into the reply; inside a transaction, fail the future instead.
   */
  private static UUID memoryUuid(String memoryId) {
    UUID id = Ids.parse(memoryId);
    if (id == null) {
      throw notFound(memoryId);
    }
    return id;
  }

  static ApiException notFound(String memoryId) {
    return ApiException.notFound("Memory with id " + memoryId + " not found");
  }
}
