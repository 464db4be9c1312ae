package dev.engram.index;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The search side of archival memory. PostgreSQL keeps every passage (text, metadata, vector); an index is derived
 * from it and can be rebuilt at any time, so it may lag or lose recent writes without losing data. Every query is
 * confined to one user and a set of owners (agents and sources). Implementations never block an event loop.
 */
public interface PassageIndex extends AutoCloseable {

  /** Adds or replaces passages (same id replaces). Durable once the future succeeds, or after {@link #flush()}. */
  Future<Void> upsert(List<IndexedPassage> passages);

  /**
   * Adds passages that are known not to be in the index (rows just inserted), which lets a backend skip looking for
   * an older version of each; otherwise as {@link #upsert}.
   */
  default Future<Void> add(List<IndexedPassage> passages) {
    return upsert(passages);
  }

  /** Removes passages by id; unknown ids are ignored. */
  Future<Void> delete(Collection<UUID> ids);

  /**
   * Removes passages of one user by id. Prefer this when the user is known: a backend partitioned by user
   * (Weaviate, a tenant per user) otherwise has to look in every partition.
   */
  default Future<Void> delete(UUID userId, Collection<UUID> ids) {
    return delete(ids);
  }

  /** Removes every passage of one owner (an agent or a source) of one user. */
  Future<Void> deleteOwner(UUID userId, UUID ownerId);

  /** Removes every passage of one user (the user was deleted). */
  Future<Void> deleteUser(UUID userId);

  /** The best passages for the query, best first, at most {@code query.limit()}. */
  Future<List<ScoredPassage>> search(PassageQuery query);

  /** How many passages the index holds and the highest {@code seq} among them (-1 when empty). */
  Future<IndexStats> stats();

  /**
   * How many passages the index holds as its searches saw it last: it may lag the latest writes, and costs nothing
   * (no refresh, no scan), so a gauge may read it now and then on a busy server.
   */
  default Future<Long> size() {
    return stats().map(IndexStats::count);
  }

  /** Makes every acknowledged write durable (a commit); cheap when nothing changed. */
  Future<Void> flush();

  /** Removes everything (used before a full rebuild). */
  Future<Void> clear();

  @Override
  default void close() {}

  /**
   * One passage as the index sees it. {@code ownerId} is the agent or the source the passage belongs to; a null
   * {@code vector} makes a text-only entry (recall messages), which only TEXT searches find.
   */
  record IndexedPassage(UUID id, long seq, UUID userId, UUID ownerId, String text, float[] vector) {}

  /**
   * A search confined to {@code userId} and passages whose owner is in {@code owners}. {@code text} is used by TEXT
   * and HYBRID, {@code vector} by VECTOR and HYBRID.
   */
  record PassageQuery(UUID userId, Set<UUID> owners, String text, float[] vector, SearchMode mode, int limit) {}

  /**
   * A hit. {@code score} depends on the mode that ran: VECTOR the cosine similarity, TEXT the BM25 score, HYBRID the
   * relative fusion of the two rankings ({@code 0.7 * rescaled BM25 + 0.3 * rescaled cosine}, each rescaled to 0..1
   * over its ranking) plus, on Lucene, a share of the best neighbour's score (see {@link LuceneIndex}); a HYBRID
   * query with only text or only a vector runs as TEXT or VECTOR. Higher is better within one result list.
   * {@code similarity} is the hit's cosine similarity to the query vector where the index gives it beside another
   * score (Lucene's HYBRID hits, 0 for a passage without a vector), else NaN.
   */
  record ScoredPassage(UUID id, double score, double similarity) {
    public ScoredPassage(UUID id, double score) {
      this(id, score, Double.NaN);
    }
  }

  record IndexStats(long count, long maxSeq) {}

  enum SearchMode {
    HYBRID, VECTOR, TEXT;

    public static SearchMode parse(String value) {
      for (SearchMode mode : values()) {
        if (mode.name().equalsIgnoreCase(value)) {
          return mode;
        }
      }
      throw new IllegalArgumentException("mode must be one of hybrid, vector, text; got '" + value + "'");
    }
  }
}
