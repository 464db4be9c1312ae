package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Json;
import dev.engram.kernel.Times;
import dev.engram.model.AddEvent;
import dev.engram.store.AddEventProtocol.*;
import dev.engram.store.MemoryProtocol.Applied;
import dev.engram.store.MemoryProtocol.ApplyChanges;
import dev.engram.store.MemoryProtocol.Change;
import dev.engram.store.MemoryProtocol.NewMemory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Asynchronous adds in PostgreSQL. Their raw messages are memories naming the event ({@code pending_event}), stored
 * with the event in one transaction and indexed before the add is answered. Settling is one transaction too: the raw
 * messages go and the decided facts come together. The index is written around that commit so that a search sees one
 * or the other, never both and never neither: the new entries go in before the commit (an entry whose row does not
 * exist yet is passed over by a search, which reads the rows), and the raw entries come out after it.
 */
final class AddEventRepository {
  private static final String COLUMNS = "id, user_id, status, payload, results, error, attempts, created_at,"
      + " updated_at, started_at, completed_at";
  /** A raw message: no history row (it is a placeholder; the facts that replace it get theirs). */
  private static final String RAW = """
      insert into memories(id, user_id, scope_id, scope_user, scope_agent, scope_run, actor_id, role, text, hash,
                           norm_hash, metadata, embedding, embedding_model, created_at, updated_at, valid_from,
                           expiration_date, pending_event, provenance)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $15, $16, $17, $18)
      returning seq""";
  private static final String OPEN = "insert into memory_add_events(id, user_id, status, payload, created_at,"
      + " updated_at) values ($1, $2, 'PENDING', $3, $4, $4)";
  private static final String CLAIM_ONE = "update memory_add_events set status = 'RUNNING', attempts = attempts + 1,"
      + " started_at = now(), updated_at = now(), claimed_by = $2 where id = $1 and status = 'PENDING' returning "
      + COLUMNS;
  /** The oldest PENDING event; one that another claim holds is skipped, not waited for. */
  private static final String CLAIM_NEXT = "update memory_add_events set status = 'RUNNING',"
      + " attempts = attempts + 1, started_at = now(), updated_at = now(), claimed_by = $1 where id = (select id from"
      + " memory_add_events where status = 'PENDING' order by created_at limit 1 for update skip locked)"
      + " returning " + COLUMNS;
  /** At start: what the previous process was running did not finish, and is to be run again. */
  private static final String RELEASE = "update memory_add_events set status = 'PENDING', updated_at = now()"
      + " where status = 'RUNNING'";
  /**
   * At the start of a cluster node: only extractions claimed before their runner was recorded (V021) and so long ago
   * that no live node can still be running them (two model calls, each within its timeout and retries); the others
   * are released by {@link #RELEASE_ORPHANS} once their node is seen dead.
   */
  private static final String RELEASE_STALE = RELEASE
      + " and claimed_by is null and started_at < now() - interval '15 minutes'";
  /**
   * Cluster mode: the extractions of nodes no longer alive (no heartbeat within $1 ms; this node's own previous
   * start included). Run twice by mistake (a node paused longer than a lease wakes up and finishes its run), an
   * extraction still settles once: a settle needs the event RUNNING and marks it SUCCEEDED in the same transaction.
   */
  private static final String RELEASE_ORPHANS = RELEASE + " and claimed_by is not null and claimed_by not in"
      + " (select id from cluster_nodes where seen_at > now() - $1 * interval '1 millisecond')";
  private static final String LOCK = "select status from memory_add_events where id = $1 and user_id = $2 for update";
  private static final String DROP_RAW = "delete from memories where pending_event = $1 and user_id = $2 returning id";
  private static final String SUCCEED = "update memory_add_events set status = 'SUCCEEDED', results = $2,"
      + " completed_at = now(), updated_at = now() where id = $1 returning " + COLUMNS;
  private static final String FAIL = "update memory_add_events set status = 'FAILED', error = $2,"
      + " completed_at = now(), updated_at = now() where id = $1 and status in ('PENDING', 'RUNNING') returning "
      + COLUMNS;
  private static final String GET = "select " + COLUMNS + " from memory_add_events where id = $1 and user_id = $2";

  /**
   * Phase-one batches in flight at once: two, as the verbatim adds had before one measured better for them
   * ({@link MemoryChanges#ADD_BATCHES_IN_FLIGHT}); not measured again for these.
   */
  private static final int OPENS_IN_FLIGHT = 2;

  private final Pool pool;
  private final PassageIndex index;
  private final MemoryChanges changes;
  private final MemoryScopes scopes;
  /** Phase one of the adds that arrive while others are being written go together: see {@link #openBatch}. */
  private final Coalescer<OpenEvent, EventReply> opens;

  AddEventRepository(Context context, Pool pool, PassageIndex index, MemoryChanges changes, MemoryScopes scopes) {
    this.pool = pool;
    this.index = index;
    this.changes = changes;
    this.scopes = scopes;
    this.opens = new Coalescer<>(context, OPENS_IN_FLIGHT, MemoryChanges.MAX_ADDS_PER_BATCH,
        r -> new Object(), this::openBatch);
  }

  /** Puts the events a stopped process was running back to PENDING (call before anything claims). */
  static Future<Void> releaseInterrupted(Pool pool, boolean clustered) {
    return pool.query(clustered ? RELEASE_STALE : RELEASE).execute().mapEmpty();
  }

  Future<EventReply> open(OpenEvent req) {
    return opens.submit(req);
  }

  /**
   * Group commit of phase one, as {@link MemoryChanges} does for verbatim adds: the events that arrived while the
   * previous batch was being committed go in one transaction, scopes first (in id order), then each statement once
   * for the whole batch (raw messages, events, the events read back), all sent together ({@link
   * PipelinedTransaction}: two round trips, not six); one index write follows the commit and every add is answered
   * after both. A failed batch is written again one event at a time ({@link Coalescer}).
   */
  private Future<List<EventReply>> openBatch(List<OpenEvent> batch) {
    OffsetDateTime now = Rows.offset(Times.now());
    List<MemoryScopes.ScopeRow> scopeRows = new ArrayList<>();
    List<Tuple> raws = new ArrayList<>();
    List<Tuple> opened = new ArrayList<>();
    List<Tuple> reads = new ArrayList<>();
    for (OpenEvent req : batch) {
      UUID tenant = UUID.fromString(req.userId());
      UUID eventId = UUID.fromString(req.eventId());
      UUID scopeId = MemoryRows.scopeId(tenant, req.scope());
      scopeRows.add(new MemoryScopes.ScopeRow(scopeId, tenant, req.scope()));
      for (NewMemory m : req.raw()) {
        raws.add(rawRow(tenant, scopeId, req, m, now, eventId));
      }
      opened.add(Tuple.of(eventId, tenant, new JsonObject(new HashMap<>(req.payload())), now));
      reads.add(Tuple.of(eventId, tenant));
    }
    List<IndexedPassage> entries = new ArrayList<>();
    return PipelinedTransaction.run(pool, conn -> {
      Future<?> ensured = scopes.ensure(conn, scopeRows);
      Future<RowSet<Row>> stored = raws.isEmpty() ? Future.succeededFuture(null)
          : conn.preparedQuery(RAW).executeBatch(raws);
      Future<RowSet<Row>> open = conn.preparedQuery(OPEN).executeBatch(opened);
      Future<RowSet<Row>> read = conn.preparedQuery(GET).executeBatch(reads);
      return Future.join(ensured, stored, open, read).map(all -> {
        RowSet<Row> rs = stored.result();
        for (OpenEvent req : batch) {
          UUID tenant = UUID.fromString(req.userId());
          UUID scopeId = MemoryRows.scopeId(tenant, req.scope());
          for (NewMemory m : req.raw()) {
            entries.add(new IndexedPassage(UUID.fromString(m.id()), rs.iterator().next().getLong(0), tenant,
                scopeId, m.text(), m.vector()));
            rs = rs.next();
          }
        }
        return read.result();
      });
    })
        .compose(first -> {
          List<EventReply> replies = new ArrayList<>(batch.size());
          for (RowSet<Row> rs = first; rs != null; rs = rs.next()) {
            replies.add(new EventReply(event(rs.iterator().next())));
          }
          return IndexSync.bestEffort(entries.isEmpty() ? Future.succeededFuture() : index.add(entries), "async add")
              .map(replies);
        });
  }

  private static Tuple rawRow(UUID tenant, UUID scopeId, OpenEvent req, NewMemory m, OffsetDateTime now,
      UUID eventId) {
    return Tuple.of(UUID.fromString(m.id()), tenant, scopeId, req.scope().user(), req.scope().agent(),
            req.scope().run())
        .addValue(m.actorId()).addValue(m.role()).addValue(m.text()).addValue(MemoryRows.md5(m.text()))
        .addValue(MemoryRows.normalisedHash(m.text()))
        .addValue(new JsonObject(new HashMap<>(m.metadata() == null ? Map.of() : m.metadata())))
        .addArrayOfFloat(ArchivalRows.boxed(m.vector())).addValue(req.embeddingModel()).addValue(now)
        .addValue(m.expirationDate() == null ? null : Rows.offset(m.expirationDate())).addValue(eventId)
        .addValue(m.provenance() == null ? null : new JsonObject(new HashMap<>(m.provenance())));
  }

  Future<EventReply> claim(ClaimEvent req) {
    Future<RowSet<Row>> claimed;
    if (req.eventId() == null) {
      claimed = pool.preparedQuery(CLAIM_NEXT).execute(Tuple.of(req.runner()));
    } else {
      UUID id = Ids.parse(req.eventId());
      claimed = id == null ? Future.failedFuture(notFound(req.eventId()))
          : pool.preparedQuery(CLAIM_ONE).execute(Tuple.of(id, req.runner()));
    }
    return claimed.map(rows -> new EventReply(rows.size() == 0 ? null : event(rows.iterator().next())));
  }

  Future<Released> releaseOrphans(ReleaseOrphans req) {
    return pool.preparedQuery(RELEASE_ORPHANS).execute(Tuple.of(req.liveWithinMs()))
        .map(rows -> new Released(rows.rowCount()));
  }

  Future<EventReply> settle(SettleEvent req) {
    UUID tenant = UUID.fromString(req.userId());
    UUID eventId = UUID.fromString(req.eventId());
    List<Applied> results = new ArrayList<>();
    List<IndexedPassage> upserts = new ArrayList<>();
    List<UUID> rawIds = new ArrayList<>();
    boolean[] indexed = {false};
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK).execute(Tuple.of(eventId, tenant))
        .compose(locked -> {
          if (locked.size() == 0) {
            return Future.failedFuture(notFound(req.eventId()));
          }
          String status = locked.iterator().next().getString("status");
          return AddEvent.RUNNING.equals(status) ? conn.preparedQuery(DROP_RAW).execute(Tuple.of(eventId, tenant))
              : Future.failedFuture(new ApiException(ErrorKind.CONFLICT, "Event " + req.eventId() + " is " + status
                  + ", not RUNNING: it was settled already"));
        })
        .compose(dropped -> {
          dropped.forEach(r -> rawIds.add(r.getUUID("id")));
          return changes.applyIn(conn, new ApplyChanges(req.userId(), req.scope(), req.embeddingModel(), true,
              req.changes()), results, upserts);
        })
        .compose(v -> conn.preparedQuery(SUCCEED).execute(Tuple.of(eventId, resultsJson(results))))
        // last before the commit: the facts' entries, so that the index holds them when their rows appear
        .compose(rows -> {
          indexed[0] = true;
          return (upserts.isEmpty() ? Future.<Void>succeededFuture() : index.upsert(upserts)).map(rows);
        }))
        .compose(rows -> IndexSync.bestEffort(rawIds.isEmpty() ? Future.succeededFuture()
                : index.delete(tenant, rawIds), "async add settled")
            .map(new EventReply(event(rows.iterator().next()))))
        .recover(e -> {
          // the commit failed after the entries went in: entries of rows that never were are taken out again (an
          // updated fact's entry stays, ahead of its row until the index is next caught up)
          Set<String> updated = new HashSet<>();
          results.stream().filter(a -> a.event().equals(Change.UPDATE)).forEach(a -> updated.add(a.id()));
          List<UUID> added = !indexed[0] ? List.of() : upserts.stream().map(IndexedPassage::id)
              .filter(id -> !updated.contains(id.toString())).toList();
          Future<Void> undo = added.isEmpty() ? Future.succeededFuture() : index.delete(tenant, added);
          return IndexSync.bestEffort(undo, "async add not settled").compose(v -> Future.failedFuture(e));
        });
  }

  Future<EventReply> fail(FailEvent req) {
    return pool.preparedQuery(FAIL).execute(Tuple.of(UUID.fromString(req.eventId()), req.reason()))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound(req.eventId()))
            : Future.succeededFuture(new EventReply(event(rows.iterator().next()))));
  }

  Future<EventReply> get(GetEvent req) {
    UUID id = Ids.parse(req.eventId());
    if (id == null) {
      return Future.failedFuture(notFound(req.eventId()));
    }
    return pool.preparedQuery(GET).execute(Tuple.of(id, UUID.fromString(req.userId())))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound(req.eventId()))
            : Future.succeededFuture(new EventReply(event(rows.iterator().next()))));
  }

  /** One add result as the event shows it: Mem0's {id, memory, event} with the platform's data.memory. */
  private static JsonArray resultsJson(List<Applied> results) {
    JsonArray out = new JsonArray();
    for (Applied a : results) {
      JsonObject json = new JsonObject().put("id", a.id()).put("memory", a.memory()).put("event", a.event())
          .put("data", new JsonObject().put("memory", a.memory()));
      if (a.previousMemory() != null) {
        json.put("previous_memory", a.previousMemory());
      }
      out.add(json);
    }
    return out;
  }

  private static AddEvent event(Row r) {
    JsonObject payload = r.getJsonObject("payload");
    Object results = r.getValue("results");
    List<Map<String, Object>> list = new ArrayList<>();
    if (results instanceof JsonArray array) {
      for (Object o : array) {
        list.add(o instanceof JsonObject j ? Json.plainMap(j) : Map.of());
      }
    }
    return new AddEvent(r.getUUID("id").toString(), r.getUUID("user_id").toString(), r.getString("status"),
        payload == null ? Map.of() : Json.plainMap(payload), list, r.getString("error"), r.getInteger("attempts"),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("updated_at")),
        Rows.instant(r.getOffsetDateTime("started_at")), Rows.instant(r.getOffsetDateTime("completed_at")));
  }

  static ApiException notFound(String eventId) {
    return ApiException.notFound("Event with id " + eventId + " not found");
  }
}
