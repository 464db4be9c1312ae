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
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Mem0 memories in PostgreSQL (the truth, with a history row for every change) mirrored into the "memories" index,
 * where each memory's owner is its scope id. Writes are one transaction each, except verbatim adds, which are
 * group-committed ({@link #addBatch}); index writes follow the commit.
 */
final class MemoryRepository {
  static final String ENSURE_SCOPE = """
      insert into memory_scopes(id, user_id, scope_user, scope_agent, scope_run) values ($1, $2, $3, $4, $5)
      on conflict (id) do nothing""";
  private static final String LOCK_SCOPE = "select pg_advisory_xact_lock(hashtextextended($1::text, 7))";
  /**
   * A fact the scope already holds now (a superseded or closed version does not count, nor a raw message of an
   * asynchronous add, which its facts are about to replace).
   */
  private static final String DUPLICATE = """
      select 1 from memories where scope_id = $1 and norm_hash = $2 and valid_to is null and pending_event is null
      limit 1""";
  /** The memory and its ADD history row in one statement. */
  private static final String ADD = """
      with history as (
        insert into memory_history(id, user_id, memory_id, old_memory, new_memory, event, created_at, updated_at,
                                   actor_id, role)
        values (gen_random_uuid(), $2, $1, null, $11, 'ADD', $17, $17, $8, $9))
      insert into memories(id, user_id, scope_id, scope_user, scope_agent, scope_run, session_id, actor_id, role,
                           memory_type, text, hash, norm_hash, metadata, embedding, embedding_model, created_at,
                           updated_at, valid_from, expiration_date, provenance)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $17, $18, $19)
      returning seq""";
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
  /** A fact the add pipeline found no longer true: closed now, kept for as_of and include_superseded. */
  private static final String CLOSE = """
      with closed as (
        update memories set valid_to = $3, updated_at = $3 where id = $1 and user_id = $2 and valid_to is null
        returning id, user_id, text, created_at, actor_id, role)
      insert into memory_history(id, user_id, memory_id, old_memory, new_memory, event, created_at, updated_at,
                                 is_deleted, actor_id, role)
      select gen_random_uuid(), user_id, id, text, null, 'DELETE', created_at, $3, true, actor_id, role from closed
      returning memory_id, old_memory""";
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

  /**
   * Verbatim adds in flight at once, and at most how many go in one batch. Two batches: one is being committed while
   * the next one gathers (the same numbers as the agents' saves, {@link AgentRepository}).
   */
  static final int ADD_BATCHES_IN_FLIGHT = 2;
  static final int MAX_ADDS_PER_BATCH = 64;

  private final Pool pool;
  private final PassageIndex index;
  private final MemoryScopes scopes;
  private final Coalescer<ApplyChanges, AppliedChanges> verbatimAdds;

  MemoryRepository(Context context, Pool pool, PassageIndex index, MemoryScopes scopes) {
    this.pool = pool;
    this.index = index;
    this.scopes = scopes;
    // any two verbatim adds may share a batch (no lock, nothing read): each request is a key of its own
    this.verbatimAdds = new Coalescer<>(context, ADD_BATCHES_IN_FLIGHT, MAX_ADDS_PER_BATCH, r -> new Object(),
        this::addBatch);
  }

  /**
   * Applies decided changes in one transaction, then mirrors them into the index. An UPDATE supersedes the fact (its
   * earlier version is kept, closed) and a DELETE closes it: the add pipeline never removes what it was told.
   */
  Future<AppliedChanges> apply(ApplyChanges req) {
    if (!req.dedupe() && req.changes().stream().allMatch(c -> Change.ADD.equals(c.event()))) {
      return verbatimAdds.submit(req);
    }
    UUID tenant = UUID.fromString(req.userId());
    List<IndexedPassage> upserts = new ArrayList<>();
    List<Applied> results = new ArrayList<>();
    return pool.withTransaction(conn -> applyIn(conn, req, results, upserts))
        .compose(v -> mirror(tenant, upserts, List.of(), "memory change").map(new AppliedChanges(results)));
  }

  /**
   * Group commit of verbatim adds (infer=false: no deduplication, nothing read, only new rows): the adds that arrived
   * while the previous batch was being committed go in one transaction, their scopes ensured first (in scope id
   * order, so that two batches never wait on each other's new scopes) and all their memories with their history rows
   * in one pipelined statement; then one index write for the whole batch. Each add is answered after the commit and
   * the index write, as on its own; a batch that fails is written again one add at a time ({@link Coalescer}). On
   * {@code scripts/bench.sh memories --callers 8 --embeddings scripted} (loaded machine) this took PostgreSQL's CPU
   * per add from 0.68 to 0.46 ms: two statements per add instead of four, and one commit per batch.
   */
  private Future<List<AppliedChanges>> addBatch(List<ApplyChanges> batch) {
    Map<UUID, Tuple> scopeRows = new TreeMap<>();
    List<Tuple> rows = new ArrayList<>();
    List<IndexedPassage> upserts = new ArrayList<>();
    for (ApplyChanges req : batch) {
      UUID tenant = UUID.fromString(req.userId());
      UUID scopeId = MemoryRows.scopeId(tenant, req.scope());
      scopeRows.putIfAbsent(scopeId, Tuple.of(scopeId, tenant, req.scope().user(), req.scope().agent(),
          req.scope().run()));
      for (Change change : req.changes()) {
        rows.add(addRow(tenant, scopeId, req, change.add(), MemoryRows.normalisedHash(change.add().text())));
      }
    }
    return pool.withTransaction(conn -> conn.preparedQuery(ENSURE_SCOPE).executeBatch(List.copyOf(scopeRows.values()))
        .compose(v -> rows.isEmpty() ? Future.succeededFuture(null) : conn.preparedQuery(ADD).executeBatch(rows)))
        .compose(first -> {
          List<AppliedChanges> answers = new ArrayList<>(batch.size());
          RowSet<Row> rs = first;
          for (ApplyChanges req : batch) {
            UUID tenant = UUID.fromString(req.userId());
            UUID scopeId = MemoryRows.scopeId(tenant, req.scope());
            List<Applied> results = new ArrayList<>(req.changes().size());
            for (Change change : req.changes()) {
              NewMemory m = change.add();
              UUID id = UUID.fromString(m.id());
              upserts.add(new IndexedPassage(id, rs.iterator().next().getLong(0), tenant, scopeId, m.text(),
                  m.vector()));
              results.add(new Applied(m.id(), m.text(), Change.ADD, null, m.actorId(), m.role()));
              rs = rs.next();
            }
            answers.add(new AppliedChanges(results));
          }
          // new ids: nothing to replace, so a plain add (an update would look each id up in every segment)
          Future<Void> indexed = upserts.isEmpty() ? Future.succeededFuture() : index.add(upserts);
          return IndexSync.bestEffort(indexed, "memory add").map(answers);
        });
  }

  /**
   * The changes inside the caller's transaction: what they did goes to {@code results}, the index entries they make
   * to {@code upserts} (for the caller to write once it knows the outcome).
   */
  Future<Void> applyIn(SqlConnection conn, ApplyChanges req, List<Applied> results, List<IndexedPassage> upserts) {
    UUID tenant = UUID.fromString(req.userId());
    UUID scopeId = MemoryRows.scopeId(tenant, req.scope());
    Future<?> start = ensureScope(conn, tenant, scopeId, req.scope());
    if (req.dedupe()) {
      start = start.compose(v -> conn.preparedQuery(LOCK_SCOPE).execute(Tuple.of(scopeId.toString())));
    }
    Set<String> addedKeys = new HashSet<>();
    Future<?> chain = start;
    for (Change change : req.changes()) {
      chain = chain.compose(v -> switch (change.event()) {
        case Change.ADD -> add(conn, tenant, scopeId, req, change.add(), addedKeys, results, upserts);
        case Change.UPDATE -> update(conn, tenant, change, req.embeddingModel(), results, upserts);
        case Change.DELETE -> close(conn, tenant, change.memoryId(), results);
        default -> Future.failedFuture(ApiException.badRequest("unknown change " + change.event()));
      });
    }
    return chain.mapEmpty();
  }

  static Future<?> ensureScope(SqlConnection conn, UUID tenant, UUID scopeId, Scope scope) {
    return conn.preparedQuery(ENSURE_SCOPE).execute(Tuple.of(scopeId, tenant, scope.user(), scope.agent(),
        scope.run()));
  }

  private Future<Void> add(SqlConnection conn, UUID tenant, UUID scopeId, ApplyChanges req, NewMemory m,
      Set<String> addedKeys, List<Applied> results, List<IndexedPassage> upserts) {
    String normalised = MemoryRows.normalisedHash(m.text());
    Future<Boolean> duplicate = !req.dedupe() ? Future.succeededFuture(false)
        : !addedKeys.add(normalised) ? Future.succeededFuture(true)
        : conn.preparedQuery(DUPLICATE).execute(Tuple.of(scopeId, normalised)).map(rows -> rows.size() > 0);
    return duplicate.compose(dup -> {
      if (dup) {
        return Future.succeededFuture();
      }
      UUID id = UUID.fromString(m.id());
      return conn.preparedQuery(ADD).execute(addRow(tenant, scopeId, req, m, normalised)).map(rows -> {
        long seq = rows.iterator().next().getLong(0);
        upserts.add(new IndexedPassage(id, seq, tenant, scopeId, m.text(), m.vector()));
        results.add(new Applied(m.id(), m.text(), Change.ADD, null, m.actorId(), m.role()));
        return null;
      });
    });
  }

  /** The parameters of {@link #ADD} for one new memory. */
  private static Tuple addRow(UUID tenant, UUID scopeId, ApplyChanges req, NewMemory m, String normalised) {
    return Tuple.of(UUID.fromString(m.id()), tenant, scopeId, req.scope().user(), req.scope().agent(),
            req.scope().run())
        .addValue(m.sessionId() == null ? null : UUID.fromString(m.sessionId())).addValue(m.actorId())
        .addValue(m.role()).addValue(m.memoryType()).addValue(m.text()).addValue(MemoryRows.md5(m.text()))
        .addValue(normalised).addValue(new JsonObject(new HashMap<>(m.metadata() == null ? Map.of() : m.metadata())))
        .addArrayOfFloat(ArchivalRows.boxed(m.vector())).addValue(req.embeddingModel())
        .addValue(Rows.offset(Times.now()))
        .addValue(m.expirationDate() == null ? null : Rows.offset(m.expirationDate()))
        .addValue(m.provenance() == null ? null : new JsonObject(new HashMap<>(m.provenance())));
  }

  /**
   * The pipeline's UPDATE: the fact keeps its id and holds the new text from now on; its earlier version is kept as
   * a closed row (both are indexed: the closed one answers as_of and include_superseded searches).
   */
  private Future<Void> update(SqlConnection conn, UUID tenant, Change change, String model, List<Applied> results,
      List<IndexedPassage> upserts) {
    return updateRow(conn, tenant, change.memoryId(), change.text(), change.vector(), null, model, null, false,
        change.provenance(), upserts)
        .map(updated -> {
          upserts.add(updated.entry());
          results.add(new Applied(change.memoryId(), change.text(), Change.UPDATE, updated.oldText(),
              updated.memory().actorId(), updated.memory().role()));
          return null;
        });
  }

  private record Updated(Memory memory, String oldText, IndexedPassage entry) {}

  /**
   * Locks the row, updates it and writes the UPDATE history row; fails 404 when the memory is gone. With
   * {@code versions} (the pipeline's supersede), the row must be a current fact, its version until now is kept as a
   * closed row added to {@code versions}, and the new text is valid from now; without, the edit is in place.
   */
  private Future<Updated> updateRow(SqlConnection conn, UUID tenant, String memoryId, String text, float[] vector,
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

  /** The pipeline's DELETE: the fact is closed now (it stays in the index, for as_of and include_superseded). */
  private Future<Void> close(SqlConnection conn, UUID tenant, String memoryId, List<Applied> results) {
    UUID id = Ids.parse(memoryId);
    if (id == null) {
      return Future.failedFuture(notFound(memoryId));
    }
    return conn.preparedQuery(CLOSE).execute(Tuple.of(id, tenant, Rows.offset(Times.now()))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(notFound(memoryId));
      }
      results.add(new Applied(memoryId, rows.iterator().next().getString("old_memory"), Change.DELETE, null, null,
          null));
      return Future.succeededFuture();
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
