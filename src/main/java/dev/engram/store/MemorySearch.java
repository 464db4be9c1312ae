package dev.engram.store;

import dev.engram.embed.VectorMath;
import dev.engram.index.PassageIndex;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.model.Memory;
import dev.engram.store.MemoryProtocol.FoundMemories;
import dev.engram.store.MemoryProtocol.ScoredMemory;
import dev.engram.store.MemoryProtocol.SearchMemories;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Semantic search over memories. Without a filter the index ranks the scope's memories, and the facts that do not hold
 * now (superseded, closed or expired) are passed over. With a filter, or another {@link MemoryValidity} (as_of,
 * include_superseded), PostgreSQL decides which memories pass: when few do (up to {@link #EXACT_LIMIT}) they are
 * scored exactly from their stored vectors; otherwise the index ranks the scope and the condition is applied to ever
 * deeper candidate lists until enough pass.
 *
 * <p>With a query text the index ranks by hybrid search (BM25 and vector fused, with neighbour context: see {@code
 * LuceneIndex}), which finds facts by their names and words as well as by their meaning; scored leave one
 * conversation out on LoCoMo it finds a relevant turn in the top 5 for 0.74 of the questions where the vector alone
 * does for 0.48 (src/site/markdown/retrieval.md). Without a text (deduplication of new facts) the vector alone
 * ranks. Either way a hit's score is its cosine similarity to the query clamped to [0, 1], so the threshold keeps
 * its meaning; under hybrid ranking the scores need not fall along the list. The exact path (few memories pass a
 * filter) ranks by cosine.
 */
final class MemorySearch {
  static final int EXACT_LIMIT = 2_000;
  private static final int MAX_DEPTH = 20_000;
  /**
   * At most this many times a ranking that the database has moved past is taken again (see {@link #ranked}): a
   * bound for safety; a reread is asked only for rows newly found gone, so under steady churn one reread is usual.
   */
  static final int REREADS = 16;

  private final Pool pool;
  private final PassageIndex index;
  private final MemoryScopes scopes;

  MemorySearch(Pool pool, PassageIndex index, MemoryScopes scopes) {
    this.pool = pool;
    this.index = index;
    this.scopes = scopes;
  }

  Future<FoundMemories> search(SearchMemories req) {
    UUID tenant = UUID.fromString(req.userId());
    Future<List<UUID>> scopeIds = req.scopeIds() != null ? Future.succeededFuture(req.scopeIds())
        : scopes.matching(tenant, req.scope());
    return scopeIds.compose(owners -> {
      if (owners.isEmpty()) {
        return Future.succeededFuture(List.<ScoredMemory>of());
      }
      if (req.filter() == null && (req.validity() == null || req.validity().current())) {
        // the common case: the index ranks the scopes, and superseded or expired hits are passed over
        var current = new Condition(MemoryValidity.CURRENT, List.of(tenant, owners.toArray(UUID[]::new)));
        return ranked(tenant, owners, req, current, req.limit());
      }
      return filtered(tenant, owners, req);
    }).map(found -> new FoundMemories(found.stream()
        .filter(f -> req.threshold() == null || f.score() >= req.threshold()).toList()));
  }

  /** A filter compiled against parameters $1 (the tenant) and $2 (the scope ids), with all its parameters. */
  private record Condition(String sql, List<Object> params) {}

  private Future<List<ScoredMemory>> filtered(UUID tenant, List<UUID> owners, SearchMemories req) {
    List<Object> params = new ArrayList<>(List.of(tenant, owners.toArray(UUID[]::new)));
    String filter = req.filter() == null ? "true" : MemoryFilterSql.compile(req.filter(), params);
    String validity = MemoryValidity.sql(req.validity(), params);
    var condition = new Condition("(" + filter + ") and " + validity, List.copyOf(params));
    String where = " from memories m where m.user_id = $1 and m.scope_id = any($2) and " + condition.sql();
    String count = "select count(*) from (select 1" + where + " limit " + (EXACT_LIMIT + 1) + ") matches";
    return pool.preparedQuery(count).execute(Tuple.from(params)).compose(counted -> {
      if (counted.iterator().next().getLong(0) > EXACT_LIMIT) {
        return ranked(tenant, owners, req, condition, Math.max(100, req.limit() * 4));
      }
      return pool.preparedQuery("select m.id, m.embedding" + where).execute(Tuple.from(params))
          .compose(rows -> exact(tenant, rows, req));
    });
  }

  /** Scores the rows' stored vectors against the query and fetches the best {@code limit}. */
  private Future<List<ScoredMemory>> exact(UUID tenant, RowSet<Row> rows, SearchMemories req) {
    List<ScoredPassage> scored = new ArrayList<>(rows.size());
    for (Row r : rows) {
      scored.add(new ScoredPassage(r.getUUID("id"), cosine(r, req.vector())));
    }
    scored.sort(Comparator.comparingDouble(ScoredPassage::score).reversed());
    return fetch(tenant, scored.subList(0, Math.min(req.limit(), scored.size())), null, req.vector())
        .map(Fetched::found);
  }

  /** The cosine similarity of a row's stored embedding to {@code query} (0 without an embedding). */
  private static double cosine(Row r, float[] query) {
    Float[] stored = r.getArrayOfFloats("embedding");
    if (stored == null) {
      return 0;
    }
    float[] v = ArchivalRows.unboxed(stored);
    double norms = VectorMath.norm(v) * VectorMath.norm(query);
    return norms == 0 || v.length != query.length ? 0 : VectorMath.dot(v, query) / norms;
  }

  /** The index's ranking of the scopes, passed through {@code condition} (may be null) until enough hits pass. */
  private Future<List<ScoredMemory>> ranked(UUID tenant, List<UUID> owners, SearchMemories req,
      Condition condition, int depth) {
    return ranked(tenant, owners, req, condition, depth, 0, Set.of());
  }

  /**
   * As above; {@code behind} counts the rankings already thrown away because a hit's row was gone, and {@code gone}
   * holds those rows. The index and the rows are read one after the other: a change committed in between (an
   * asynchronous add replacing its raw messages with facts, whose entries go in before the commit and whose raw
   * entries come out after it) can leave a ranking taken before it with only rows that are gone, and so answer
   * neither the old nor the new memories. A hit whose row is gone shows that the index may have been read before
   * such a commit, so it is read again; a ranking read after the row was seen gone holds whatever that commit put in
   * its place. Its entry may linger in the index until its removal follows the commit: a row already seen gone is
   * therefore no reason to read again, only a newly gone one is. Before, every gone row asked for a reread, and with
   * many adds settling at once nearly every ranking held another add's lingering raw entry: the rereads ran out while
   * the add a caller had just been answered for was between its index read and its rows
   * ({@code AsyncAddTest.concurrentAddsAreEachTheirOwn} found neither in about half its runs with 2 rereads).
   */
  private Future<List<ScoredMemory>> ranked(UUID tenant, List<UUID> owners, SearchMemories req,
      Condition condition, int depth, int behind, Set<UUID> gone) {
    boolean text = req.text() != null && !req.text().isBlank();
    var query = new PassageQuery(tenant, new LinkedHashSet<>(owners), text ? req.text() : null, req.vector(),
        text ? SearchMode.HYBRID : SearchMode.VECTOR, depth);
    float[] v = req.vector();
    return index.search(query).compose(hits -> fetch(tenant, cosines(hits, text), condition, v).compose(fetched -> {
      Set<UUID> seen = gone;
      if (!gone.containsAll(fetched.gone())) {
        seen = new HashSet<>(gone);
        seen.addAll(fetched.gone());
        if (behind < REREADS) {
          return ranked(tenant, owners, req, condition, depth, behind + 1, seen);
        }
      }
      List<ScoredMemory> found = fetched.found();
      if (condition == null) {
        return Future.succeededFuture(found);
      }
      boolean exhausted = hits.size() < depth || depth >= MAX_DEPTH;
      return found.size() >= req.limit() || exhausted
          ? Future.succeededFuture(found.subList(0, Math.min(req.limit(), found.size())))
          : ranked(tenant, owners, req, condition, Math.min(MAX_DEPTH, depth * 4), behind, seen);
    }));
  }

  /**
   * The hits scored by their cosine similarity, NaN where the index does not give it: a vector ranking's scores are
   * cosines; a hybrid one's are fused, and Lucene's hits carry the cosine beside (Weaviate's do not, and {@link
   * #fetch} computes theirs from the rows).
   */
  private static List<ScoredPassage> cosines(List<ScoredPassage> hits, boolean hybrid) {
    return hybrid ? hits.stream().map(h -> new ScoredPassage(h.id(), h.similarity())).toList() : hits;
  }

  /** The hits' memories that pass, and the hits whose row was gone (deleted since the index was read). */
  private record Fetched(List<ScoredMemory> found, Set<UUID> gone) {}

  /**
   * The rows of the hits, in hit order, restricted by {@code condition} when not null; hits whose row is gone
   * (deleted, index behind) are dropped and reported. The condition is selected, not filtered on, to tell the two.
   * Each is scored by its cosine similarity to {@code vector}: the hit's score, which is that similarity, or where
   * it is NaN one computed from the row's stored embedding, which is then read too (15 KB for 10 hits of 384
   * dimensions: the larger part of a small scope's search).
   */
  private Future<Fetched> fetch(UUID tenant, List<ScoredPassage> hits, Condition condition, float[] vector) {
    if (hits.isEmpty()) {
      return Future.succeededFuture(new Fetched(List.of(), Set.of()));
    }
    boolean rescore = hits.stream().anyMatch(h -> Double.isNaN(h.score()));
    UUID[] ids = hits.stream().map(ScoredPassage::id).toArray(UUID[]::new);
    String columns = "select " + MemoryRows.COLUMNS + (rescore ? ", m.embedding" : "");
    String sql = columns + MemoryRows.ofIdsOfTenant();
    List<Object> params = new ArrayList<>(List.of(ids, tenant));
    if (condition != null) {
      params = new ArrayList<>(condition.params());
      params.add(ids);
      sql = columns + ", (" + condition.sql() + ") as passes" + MemoryRows.ofIds(params.size())
          + " where m.user_id = $1 and m.scope_id = any($2)";
    }
    Map<UUID, Double> scores = new HashMap<>();
    hits.forEach(h -> scores.put(h.id(), h.score()));
    return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
      Map<UUID, ScoredMemory> byId = new HashMap<>();
      Set<UUID> present = new HashSet<>();
      for (Row r : rows) {
        UUID id = r.getUUID("id");
        present.add(id);
        if (condition == null || Boolean.TRUE.equals(r.getBoolean("passes"))) {
          double score = Double.isNaN(scores.get(id)) ? cosine(r, vector) : scores.get(id);
          byId.put(id, new ScoredMemory(MemoryRows.memory(r), Math.max(0, Math.min(1, score))));
        }
      }
      List<ScoredMemory> out = new ArrayList<>(hits.size());
      Set<UUID> gone = new HashSet<>();
      for (ScoredPassage hit : hits) {
        ScoredMemory m = byId.get(hit.id());
        if (m != null) {
          out.add(m);
        } else if (!present.contains(hit.id())) {
          gone.add(hit.id());
        }
      }
      return new Fetched(out, gone);
    });
  }
}
