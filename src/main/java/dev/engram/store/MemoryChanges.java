package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Times;
import dev.engram.store.MemoryProtocol.*;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The changes the Mem0 add pipeline decided (ADD, UPDATE, DELETE), applied to the memories with their history rows in
 * one transaction each, then mirrored into the index; verbatim adds are group-committed ({@link #addBatch}). An
 * UPDATE's row edit is {@link MemoryRepository#updateRow}, which a user's edit shares.
 */
final class MemoryChanges {
  private static final String LOCK_SCOPE = "select pg_advisory_xact_lock(hashtextextended($1::text, 7))";
  /**
   * A fact the scope already holds now (a superseded or closed version does not count, nor a raw message of an
   * asynchronous add, which its facts are about to replace).
   */
  private static final String DUPLICATE = """
      select 1 from memories where scope_id = $1 and norm_hash = $2 and valid_to is null and pending_event is null
      limit 1""";
  /**
   * New memories and their ADD history rows in one statement, for a verbatim batch or one add of the pipeline: each
   * column a parameter array (row i is element i), the embeddings one flat array ($20) of {@code $19} floats per
   * memory, their seqs answered in the rows' order. On a scratch cluster (pgbench, 8 clients, fsync on) four adds as
   * one statement cost PostgreSQL 0.134 ms of CPU each, against 0.176-0.203 ms as four statements in one pipeline.
   */
  private static final String ADD_MANY = """
      with input as (
        select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::uuid[],
                             $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                             $15::text[], $16::timestamptz[], $17::timestamptz[], $18::text[])
          with ordinality as r(id, user_id, scope_id, scope_user, scope_agent, scope_run, session_id, actor_id, role,
                               memory_type, text, hash, norm_hash, metadata, embedding_model, created_at,
                               expiration_date, provenance, n)),
      history as (
        insert into memory_history(id, user_id, memory_id, old_memory, new_memory, event, created_at, updated_at,
                                   actor_id, role)
        select gen_random_uuid(), user_id, id, null, text, 'ADD', created_at, created_at, actor_id, role from input),
      added as (
        insert into memories(id, user_id, scope_id, scope_user, scope_agent, scope_run, session_id, actor_id, role,
                             memory_type, text, hash, norm_hash, metadata, embedding, embedding_model, created_at,
                             updated_at, valid_from, expiration_date, provenance)
        select id, user_id, scope_id, scope_user, scope_agent, scope_run, session_id, actor_id, role, memory_type,
               text, hash, norm_hash, metadata::jsonb, ($20::real[])[((n - 1) * $19 + 1)::int : (n * $19)::int],
               embedding_model, created_at, created_at, created_at, expiration_date, provenance::jsonb
        from input order by n
        returning id, seq)
      select added.seq from input join added using (id) order by input.n""";
  /** A fact the add pipeline found no longer true: closed now, kept for as_of and include_superseded. */
  private static final String CLOSE = """
      with closed as (
        update memories set valid_to = $3, updated_at = $3 where id = $1 and user_id = $2 and valid_to is null
        returning id, user_id, text, created_at, actor_id, role)
      insert into memory_history(id, user_id, memory_id, old_memory, new_memory, event, created_at, updated_at,
                                 is_deleted, actor_id, role)
      select gen_random_uuid(), user_id, id, text, null, 'DELETE', created_at, $3, true, actor_id, role from closed
      returning memory_id, old_memory""";

  /**
   * Verbatim adds in flight at once, and at most how many go in one batch. One batch is written (committed and
   * indexed) while the next one gathers. Each commit costs PostgreSQL about 0.16 ms of CPU on this machine (pgbench),
   * so fewer, fuller batches cost less per add: with 8 callers, two batches in flight held 2.1 adds each and one
   * holds 3.6, and the CPU per add without the embedding fell from 0.54-0.59 to 0.46-0.50 ms, with a lower p50
   * (performance notes). A lone add waits for nothing either way.
   */
  static final int ADD_BATCHES_IN_FLIGHT = 1;
  static final int MAX_ADDS_PER_BATCH = 64;

  private final Pool pool;
  private final PassageIndex index;
  private final MemoryRepository memories;
  private final MemoryScopes scopes;
  private final Coalescer<ApplyChanges, AppliedChanges> verbatimAdds;

  MemoryChanges(Context context, Pool pool, PassageIndex index, MemoryRepository memories, MemoryScopes scopes) {
    this.pool = pool;
    this.index = index;
    this.memories = memories;
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
        .compose(v -> memories.mirror(tenant, upserts, List.of(), "memory change").map(new AppliedChanges(results)));
  }

  /**
   * Group commit of verbatim adds (infer=false: no deduplication, nothing read, only new rows): the adds that arrived
   * while the previous batch was being committed are written together, then indexed in one write; each is answered
   * after both, as on its own, and a batch that fails is written again one add at a time ({@link Coalescer}). On
   * {@code scripts/bench.sh memories --callers 8 --embeddings scripted} (loaded machine) this took PostgreSQL's CPU
   * per add from 0.68 to 0.46 ms: two statements per add instead of four, and one commit per batch.
   *
   * <p>The write is one round trip: the batch's scopes (in scope id order, so that two batches never wait on each
   * other's new scopes) and then all its memories with their history rows are sent together on one connection, each
   * statement batch ending in one sync, which PostgreSQL runs as an implicit transaction of its own. So the scopes
   * commit just before the memories, not with them: a batch whose memories fail may leave a new scope row behind,
   * which selects nothing and is listed nowhere (entities are read from the memories). A memory and its history row
   * are one statement, and the batch's memories one transaction: all or none of them. Before, BEGIN, the scopes, the
   * memories and COMMIT were four round trips: a sequential client's add p50 went from 1.74 to 1.46 ms
   * ({@code scripts/bench.sh side-by-side --memories 10000}).
   */
  private Future<List<AppliedChanges>> addBatch(List<ApplyChanges> batch) {
    List<MemoryScopes.ScopeRow> scopeRows = new ArrayList<>();
    NewMemoryColumns rows = new NewMemoryColumns();
    List<IndexedPassage> upserts = new ArrayList<>();
    for (ApplyChanges req : batch) {
      UUID tenant = UUID.fromString(req.userId());
      UUID scopeId = MemoryRows.scopeId(tenant, req.scope());
      scopeRows.add(new MemoryScopes.ScopeRow(scopeId, tenant, req.scope()));
      for (Change change : req.changes()) {
        rows.add(tenant, scopeId, req, change.add(), MemoryRows.normalisedHash(change.add().text()));
      }
    }
    return pool.withConnection(conn -> {
      Future<?> ensured = scopes.ensure(conn, scopeRows);
      Future<RowSet<Row>> added = rows.isEmpty() ? ensured.map(v -> null)
          : conn.preparedQuery(ADD_MANY).execute(rows.tuple());
      // the answers come in order: when the adds fail for want of a scope, the scopes' own failure says why
      return added.recover(e -> Future.failedFuture(ensured.failed() ? ensured.cause() : e));
    })
        .compose(first -> {
          List<AppliedChanges> answers = new ArrayList<>(batch.size());
          var seqs = first == null ? null : first.iterator();
          for (ApplyChanges req : batch) {
            UUID tenant = UUID.fromString(req.userId());
            UUID scopeId = MemoryRows.scopeId(tenant, req.scope());
            List<Applied> results = new ArrayList<>(req.changes().size());
            for (Change change : req.changes()) {
              NewMemory m = change.add();
              UUID id = UUID.fromString(m.id());
              upserts.add(new IndexedPassage(id, seqs.next().getLong(0), tenant, scopeId, m.text(), m.vector()));
              results.add(new Applied(m.id(), m.text(), Change.ADD, null, m.actorId(), m.role()));
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
    Future<?> start = scopes.ensure(conn, List.of(new MemoryScopes.ScopeRow(scopeId, tenant, req.scope())));
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
      NewMemoryColumns row = new NewMemoryColumns();
      row.add(tenant, scopeId, req, m, normalised);
      return conn.preparedQuery(ADD_MANY).execute(row.tuple()).map(rows -> {
        long seq = rows.iterator().next().getLong(0);
        upserts.add(new IndexedPassage(id, seq, tenant, scopeId, m.text(), m.vector()));
        results.add(new Applied(m.id(), m.text(), Change.ADD, null, m.actorId(), m.role()));
        return null;
      });
    });
  }

  /**
   * The pipeline's UPDATE: the fact keeps its id and holds the new text from now on; its earlier version is kept as
   * a closed row (both are indexed: the closed one answers as_of and include_superseded searches).
   */
  private Future<Void> update(SqlConnection conn, UUID tenant, Change change, String model, List<Applied> results,
      List<IndexedPassage> upserts) {
    return memories.updateRow(conn, tenant, change.memoryId(), change.text(), change.vector(), null, model, null, false,
        change.provenance(), upserts)
        .map(updated -> {
          upserts.add(updated.entry());
          results.add(new Applied(change.memoryId(), change.text(), Change.UPDATE, updated.oldText(),
              updated.memory().actorId(), updated.memory().role()));
          return null;
        });
  }

  /** The pipeline's DELETE: the fact is closed now (it stays in the index, for as_of and include_superseded). */
  private Future<Void> close(SqlConnection conn, UUID tenant, String memoryId, List<Applied> results) {
    UUID id = Ids.parse(memoryId);
    if (id == null) {
      return Future.failedFuture(MemoryRepository.notFound(memoryId));
    }
    return conn.preparedQuery(CLOSE).execute(Tuple.of(id, tenant, Rows.offset(Times.now()))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(MemoryRepository.notFound(memoryId));
      }
      results.add(new Applied(memoryId, rows.iterator().next().getString("old_memory"), Change.DELETE, null, null,
          null));
      return Future.succeededFuture();
    });
  }
}
