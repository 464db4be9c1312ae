package dev.engram.store;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Passage;
import dev.engram.store.ArchivalProtocol.*;
import dev.engram.store.StoreProtocol.Done;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Archival memory of agents: passages in PostgreSQL (the truth) mirrored into the passage index for search. An
 * agent sees its own passages and those of the sources attached to it.
 */
final class PassageRepository {
  private static final String OWNED_AGENT = "select 1 from agents where id = $1 and user_id = $2";
  private static final String OWNERS = "select source_id from agent_sources where agent_id = $1";
  private static final String INSERT = """
      insert into passages(id, user_id, agent_id, source_id, document_id, text, embedding, embedding_model, metadata)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning seq""";
  private static final String VISIBLE = """
      p.user_id = $2 and (p.agent_id = $1
        or p.source_id in (select source_id from agent_sources where agent_id = $1))""";
  /** The position of a cursor, looked up only among the passages the listing shows (never another user's). */
  private static final String POSITION = "(select c.created_at, c.id from passages c where c.id = $3 and "
      + VISIBLE.replace("p.", "c.") + ")";
  private static final String LIST_AFTER = "select " + prefixed() + " from passages p where " + VISIBLE
      + " and ($3::uuid is null or (p.created_at, p.id) > " + POSITION + ") order by p.created_at, p.id limit $4";
  private static final String LIST_BEFORE = "select " + prefixed() + " from passages p where " + VISIBLE
      + " and (p.created_at, p.id) < " + POSITION + " order by p.created_at desc, p.id desc limit $4";
  private static final String CURSOR_SHOWN = "select 1 from passages p where p.id = $3 and " + VISIBLE;
  private static final String COUNT = "select count(*) from passages p where " + VISIBLE;
  private static final String BY_IDS = "select " + ArchivalRows.PASSAGE_COLUMNS
      + " from passages where id = any($1) and user_id = $2";
  private static final String DELETE_OWN = "delete from passages where id = $1 and user_id = $2 and agent_id = $3";

  private final Pool pool;
  private final PassageIndex index;

  PassageRepository(Pool pool, PassageIndex index) {
    this.pool = pool;
    this.index = index;
  }

  Future<PassageIds> insert(InsertArchival req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = agentId(req.agentId());
    return owned(user, agent).compose(v -> pool.withTransaction(conn ->
            insertRows(conn, user, agent, null, null, req.embeddingModel(), req.passages())))
        .compose(entries -> IndexSync.bestEffort(index.upsert(entries), "archival insert").map(entries))
        .map(entries -> new PassageIds(entries.stream().map(e -> e.id().toString()).toList()));
  }

  /** Inserts passages of an agent or of a source (exactly one of them non-null); the index entries to add. */
  static Future<List<IndexedPassage>> insertRows(SqlClient conn, UUID user, UUID agent, UUID source, UUID document,
      String model, List<NewPassage> passages) {
    if (passages.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Tuple> tuples = new ArrayList<>(passages.size());
    for (NewPassage p : passages) {
      tuples.add(Tuple.of(UUID.fromString(p.id()), user, agent, source, document, p.text())
          .addArrayOfFloat(ArchivalRows.boxed(p.vector())).addValue(model)
          .addValue(new JsonObject(new HashMap<>(p.metadata() == null ? Map.of() : p.metadata()))));
    }
    return conn.preparedQuery(INSERT).executeBatch(tuples).map(first -> {
      List<IndexedPassage> entries = new ArrayList<>(passages.size());
      int i = 0;
      for (RowSet<Row> rs = first; rs != null; rs = rs.next(), i++) {
        NewPassage p = passages.get(i);
        long seq = rs.iterator().next().getLong(0);
        entries.add(new IndexedPassage(UUID.fromString(p.id()), seq, user, agent != null ? agent : source,
            p.text(), p.vector()));
      }
      return entries;
    });
  }

  Future<Passages> list(ListArchival req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = agentId(req.agentId());
    UUID after = req.after() == null ? null : Ids.require(req.after(), "after");
    UUID before = req.before() == null ? null : Ids.require(req.before(), "before");
    String sql = before != null ? LIST_BEFORE : LIST_AFTER;
    UUID cursor = before != null ? before : after;
    return owned(user, agent)
        .compose(v -> pool.preparedQuery(sql).execute(Tuple.of(agent, user, cursor, req.limit())))
        .compose(rows -> rows.size() > 0 || cursor == null ? Future.succeededFuture(rows)
            : cursorShown(agent, user, cursor, before != null ? "before" : "after").map(rows))
        .map(rows -> {
          List<Passage> list = new ArrayList<>(UserRepository.collect(rows, ArchivalRows::passage));
          if (before != null) {
            Collections.reverse(list);
          }
          return new Passages(list);
        });
  }

  /**
   * An empty page after a cursor: the end of the list, or a cursor that names none of the passages listed (404, so
   * that a client does not take a wrong or stale cursor for the end).
   */
  private Future<Void> cursorShown(UUID agent, UUID user, UUID cursor, String field) {
    return pool.preparedQuery(CURSOR_SHOWN).execute(Tuple.of(agent, user, cursor)).compose(rows -> rows.size() > 0
        ? Future.succeededFuture()
        : Future.failedFuture(ApiException.notFound(field + "=" + cursor + " names no passage in the archival memory"
            + " of agent " + agent)));
  }

  Future<Count> count(CountArchival req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = agentId(req.agentId());
    return pool.preparedQuery(COUNT).execute(Tuple.of(agent, user))
        .map(rows -> new Count(rows.iterator().next().getLong(0)));
  }

  Future<FoundPassages> search(SearchArchival req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = agentId(req.agentId());
    return owned(user, agent).compose(v -> owners(agent))
        .compose(owners -> index.search(new PassageQuery(user, owners, req.text(), req.vector(), req.mode(),
            req.limit())))
        .compose(hits -> fetchInOrder(user, hits));
  }

  Future<Done> delete(DeleteArchival req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = agentId(req.agentId());
    UUID id = Ids.require(req.passageId(), "id");
    return owned(user, agent).compose(v -> pool.preparedQuery(DELETE_OWN).execute(Tuple.of(id, user, agent)))
        .compose(rows -> {
          if (rows.rowCount() == 0) {
            return Future.failedFuture(ApiException.notFound("Memory id=" + id + " not found in the archival "
                + "memory of agent " + agent + " (passages of an attached source are removed by detaching it)"));
          }
          return IndexSync.bestEffort(index.delete(user, List.of(id)), "archival delete").map(new Done());
        });
  }

  /** The owners an agent searches: itself and its attached sources. */
  Future<Set<UUID>> owners(UUID agent) {
    return pool.preparedQuery(OWNERS).execute(Tuple.of(agent)).map(rows -> {
      Set<UUID> owners = new LinkedHashSet<>();
      owners.add(agent);
      rows.forEach(r -> owners.add(r.getUUID(0)));
      return owners;
    });
  }

  /** Rows for the index hits, in hit order; hits whose row is gone (deleted, index behind) are dropped. */
  private Future<FoundPassages> fetchInOrder(UUID user, List<ScoredPassage> hits) {
    if (hits.isEmpty()) {
      return Future.succeededFuture(new FoundPassages(List.of()));
    }
    UUID[] ids = hits.stream().map(ScoredPassage::id).toArray(UUID[]::new);
    return pool.preparedQuery(BY_IDS).execute(Tuple.of(ids, user)).map(rows -> {
      Map<String, Passage> byId = new HashMap<>();
      rows.forEach(r -> {
        Passage p = ArchivalRows.passage(r);
        byId.put(p.id(), p);
      });
      List<Found> found = new ArrayList<>(hits.size());
      for (ScoredPassage hit : hits) {
        Passage p = byId.get(hit.id().toString());
        if (p != null) {
          found.add(new Found(p, hit.score()));
        }
      }
      return new FoundPassages(found);
    });
  }

  /** An agent id from the request path; one that is not a UUID names no agent (404, as an unknown id). */
  private static UUID agentId(String value) {
    UUID id = Ids.parse(value);
    if (id == null) {
      throw ApiException.notFound("Agent agent_id=" + value + " not found");
    }
    return id;
  }

  private Future<Void> owned(UUID user, UUID agent) {
    return pool.preparedQuery(OWNED_AGENT).execute(Tuple.of(agent, user)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ApiException.notFound("Agent agent_id=" + agent + " not found"))
        : Future.succeededFuture());
  }

  private static String prefixed() {
    return "p." + ArchivalRows.PASSAGE_COLUMNS.replace(", ", ", p.");
  }
}
