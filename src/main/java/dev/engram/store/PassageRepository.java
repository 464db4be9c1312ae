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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
  /**
   * How many of the index's best hits a filtered search (tags, dates) looks through: the index knows neither, so
   * the filter applies to these candidates in SQL. A search whose filter keeps fewer than its top_k among them
   * answers fewer.
   */
  static final int FILTERED_CANDIDATES = 1_000;

  private static final String OWNED_AGENT = "select 1 from agents where id = $1 and user_id = $2";
  private static final String OWNERS = "select source_id from agent_sources where agent_id = $1";
  private static final String INSERT = """
      insert into passages(id, user_id, agent_id, source_id, document_id, text, embedding, embedding_model, metadata,
        tags, created_at)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11, now()))
      returning seq,\s""" + ArchivalRows.PASSAGE_COLUMNS;
  static final String VISIBLE = """
      p.user_id = $2 and (p.agent_id = $1
        or p.source_id in (select source_id from agent_sources where agent_id = $1))""";
  /** The position of a cursor ($3 or $6), looked up only among the passages the listing shows. */
  private static final String POSITION = "(select c.created_at, c.id from passages c where c.id = %s and "
      + VISIBLE.replace("p.", "c.") + ")";
  /** $3 the cursor id, $5 the ILIKE pattern or null, $6 the bound id or null; the comparisons are filled in. */
  private static final String LIST = "select " + ArchivalRows.PASSAGE_SELECT + " from " + ArchivalRows.PASSAGE_FROM
      + " where " + VISIBLE + " and ($5::text is null or p.text ilike $5 escape '\\')"
      + " and ($3::uuid is null or (p.created_at, p.id) %1$s " + POSITION.formatted("$3") + ")"
      + " and ($6::uuid is null or (p.created_at, p.id) %2$s " + POSITION.formatted("$6") + ")"
      + " order by p.created_at %3$s, p.id %3$s limit $4";
  private static final String SHOWN = "select count(*) from passages p where p.id = any($3) and " + VISIBLE;
  private static final String LIST_UP = LIST.formatted(">", "<", "asc");
  private static final String LIST_DOWN = LIST.formatted("<", ">", "desc");
  private static final String COUNT = "select count(*) from passages p where " + VISIBLE;
  private static final String BY_IDS = "select " + ArchivalRows.PASSAGE_SELECT + " from " + ArchivalRows.PASSAGE_FROM
      + " where p.id = any($1) and p.user_id = $2";
  /** BY_IDS kept to a filter: $3 tags (null: any), $4 all of them, $5 and $6 the creation bounds (inclusive). */
  private static final String BY_IDS_FILTERED = BY_IDS + " " + """
      and ($3::text[] is null or (case when $4 then p.tags @> $3 else p.tags && $3 end))
      and ($5::timestamptz is null or p.created_at >= $5)
      and ($6::timestamptz is null or p.created_at <= $6)""";
  private static final String DELETE_OWN = "delete from passages where id = $1 and user_id = $2 and agent_id = $3";

  private final Pool pool;
  private final PassageIndex index;

  PassageRepository(Pool pool, PassageIndex index) {
    this.pool = pool;
    this.index = index;
  }

  /** The rows inserted, and their entries for the index. */
  record Inserted(List<Passage> passages, List<IndexedPassage> entries) {}

  Future<Passages> insert(InsertArchival req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = agentId(req.agentId());
    return owned(user, agent).compose(v -> pool.withTransaction(conn ->
            insertRows(conn, user, agent, null, null, req.embeddingModel(), req.passages(), req.tags(),
                req.createdAt())))
        .compose(rows -> IndexSync.bestEffort(index.upsert(rows.entries()), "archival insert").map(rows))
        .map(rows -> new Passages(rows.passages()));
  }

  /** Inserts passages of an agent or of a source (exactly one of them non-null), in order. */
  static Future<Inserted> insertRows(SqlClient conn, UUID user, UUID agent, UUID source, UUID document,
      String model, List<NewPassage> passages, List<String> tags, Instant createdAt) {
    if (passages.isEmpty()) {
      return Future.succeededFuture(new Inserted(List.of(), List.of()));
    }
    String[] tagArray = tags == null ? new String[0] : tags.toArray(String[]::new);
    OffsetDateTime at = createdAt == null ? null : OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC);
    List<Tuple> tuples = new ArrayList<>(passages.size());
    for (NewPassage p : passages) {
      tuples.add(Tuple.of(UUID.fromString(p.id()), user, agent, source, document, p.text())
          .addArrayOfFloat(ArchivalRows.boxed(p.vector())).addValue(model)
          .addValue(new JsonObject(new HashMap<>(p.metadata() == null ? Map.of() : p.metadata())))
          .addArrayOfString(tagArray).addValue(at));
    }
    return conn.preparedQuery(INSERT).executeBatch(tuples).map(first -> {
      List<IndexedPassage> entries = new ArrayList<>(passages.size());
      List<Passage> rows = new ArrayList<>(passages.size());
      int i = 0;
      for (RowSet<Row> rs = first; rs != null; rs = rs.next(), i++) {
        NewPassage p = passages.get(i);
        Row row = rs.iterator().next();
        rows.add(ArchivalRows.passage(row));
        entries.add(new IndexedPassage(UUID.fromString(p.id()), row.getLong("seq"), user,
            agent != null ? agent : source, p.text(), p.vector()));
      }
      return new Inserted(rows, entries);
    });
  }

  Future<Passages> list(ListArchival req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = agentId(req.agentId());
    UUID after = req.after() == null ? null : Ids.require(req.after(), "after");
    UUID before = req.before() == null ? null : Ids.require(req.before(), "before");
    // "after" and "before" mean next and previous in the asked order; a page that has only "before" is read
    // backwards from it and turned round
    boolean backwards = before != null && after == null;
    boolean up = req.ascending() != backwards;
    UUID from = backwards ? before : after;
    UUID bound = backwards ? null : before;
    String pattern = req.search() == null || req.search().isEmpty() ? null : "%" + likeEscaped(req.search()) + "%";
    return owned(user, agent)
        .compose(v -> pool.preparedQuery(up ? LIST_UP : LIST_DOWN)
            .execute(Tuple.of(agent, user, from, req.limit(), pattern, bound)))
        .compose(rows -> rows.size() > 0 || (after == null && before == null) ? Future.succeededFuture(rows)
            : cursorsShown(agent, user, after, before).map(rows))
        .map(rows -> {
          List<Passage> list = new ArrayList<>(UserRepository.collect(rows, ArchivalRows::passage));
          if (backwards) {
            Collections.reverse(list);
          }
          return new Passages(list);
        });
  }

  /**
   * An empty page after a cursor: the end of the list, or a cursor that names none of the passages listed (404, so
   * that a client does not take a wrong or stale cursor, or another user's passage, for the end).
   */
  private Future<Void> cursorsShown(UUID agent, UUID user, UUID after, UUID before) {
    UUID[] cursors = java.util.stream.Stream.of(after, before).filter(java.util.Objects::nonNull).toArray(UUID[]::new);
    return pool.preparedQuery(SHOWN).execute(Tuple.of(agent, user, cursors)).compose(rows ->
        rows.iterator().next().getLong(0) == cursors.length ? Future.succeededFuture()
            : Future.failedFuture(ApiException.notFound((after != null && before != null ? "after or before"
                : after != null ? "after" : "before") + " names no passage in the archival memory of agent " + agent)));
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
    PassageFilter filter = req.filter() == null ? PassageFilter.NONE : req.filter();
    int depth = filter.any() ? Math.max(req.limit(), FILTERED_CANDIDATES) : req.limit();
    return owned(user, agent).compose(v -> owners(agent))
        .compose(owners -> index.search(new PassageQuery(user, owners, req.text(), req.vector(), req.mode(), depth)))
        .compose(hits -> fetchInOrder(user, hits, filter, req.limit()));
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

  /**
   * Rows for the index hits that pass the filter, in hit order, at most {@code limit}; hits whose row is gone
   * (deleted, index behind) are dropped.
   */
  private Future<FoundPassages> fetchInOrder(UUID user, List<ScoredPassage> hits, PassageFilter filter, int limit) {
    if (hits.isEmpty()) {
      return Future.succeededFuture(new FoundPassages(List.of()));
    }
    UUID[] ids = hits.stream().map(ScoredPassage::id).toArray(UUID[]::new);
    Future<RowSet<Row>> rows = !filter.any() ? pool.preparedQuery(BY_IDS).execute(Tuple.of(ids, user))
        : pool.preparedQuery(BY_IDS_FILTERED).execute(Tuple.of(ids, user)
            .addArrayOfString(filter.tags().isEmpty() ? null : filter.tags().toArray(String[]::new))
            .addValue(filter.allTags()).addValue(utc(filter.from())).addValue(utc(filter.to())));
    return rows.map(found -> {
      Map<String, Passage> byId = new HashMap<>();
      found.forEach(r -> {
        Passage p = ArchivalRows.passage(r);
        byId.put(p.id(), p);
      });
      List<Found> ranked = new ArrayList<>(Math.min(limit, hits.size()));
      for (ScoredPassage hit : hits) {
        Passage p = byId.get(hit.id().toString());
        if (p != null && ranked.size() < limit) {
          ranked.add(new Found(p, hit.score()));
        }
      }
      return new FoundPassages(ranked);
    });
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /** {@code text} with LIKE's wildcards and escape character taken literally. */
  static String likeEscaped(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
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
}
