package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.index.PassageIndex.IndexedPassage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: keeps this node's indexes level with the writes of every node. Triggers (enabled only in cluster mode)
 * log each insert, update and delete of the indexed rows in {@code index_changes}; every {@link #POLL_MS} the node
 * applies the entries after the last one it applied: an upsert of the row as it is now, or a delete. Applying is
 * idempotent, so the node's own writes (already in its index: the writer finds them at once) and entries read twice
 * do no harm.
 *
 * <p>A sequence value is taken at insert and becomes visible at commit, so a lower one may appear after a higher
 * one: the position kept ({@code applied}) only moves over a gap once the gap is older than {@link #GAP_MS} (a
 * rolled-back insert leaves one forever); the entries after a gap are applied at once all the same.
 */
final class IndexChanges {
  private static final Logger LOG = LoggerFactory.getLogger(IndexChanges.class);
  static final long POLL_MS = 100;
  private static final long ENABLE_LOCK = 0x656e6772616d02L;
  static final long GAP_MS = 5_000;
  private static final int BATCH = 1000;

  /** The triggers that fill the change log; created at a cluster node's start, dropped at a single process's. */
  static final String ENABLE = """
      create or replace trigger engram_index_passages_ins after insert on passages
        referencing new table as changed_rows for each statement execute function engram_index_change('archival');
      create or replace trigger engram_index_passages_upd after update on passages
        referencing new table as changed_rows for each statement execute function engram_index_change('archival');
      create or replace trigger engram_index_passages_del after delete on passages
        referencing old table as changed_rows for each statement execute function engram_index_change('archival');
      create or replace trigger engram_index_memories_ins after insert on memories
        referencing new table as changed_rows for each statement execute function engram_index_change('memories');
      create or replace trigger engram_index_memories_upd after update on memories
        referencing new table as changed_rows for each statement execute function engram_index_change('memories');
      create or replace trigger engram_index_memories_del after delete on memories
        referencing old table as changed_rows for each statement execute function engram_index_change('memories');
      create or replace trigger engram_index_messages_ins after insert on messages
        referencing new table as changed_rows for each statement execute function engram_recall_change();
      create or replace trigger engram_index_messages_upd after update on messages
        referencing new table as changed_rows for each statement execute function engram_recall_change();
      create or replace trigger engram_index_messages_del after delete on messages
        referencing old table as changed_rows for each statement execute function engram_recall_change()""";
  static final String ENABLED = "select count(*) from pg_trigger where tgname like 'engram_index_%'";
  static final String DISABLE = """
      drop trigger if exists engram_index_passages_ins on passages;
      drop trigger if exists engram_index_passages_upd on passages;
      drop trigger if exists engram_index_passages_del on passages;
      drop trigger if exists engram_index_memories_ins on memories;
      drop trigger if exists engram_index_memories_upd on memories;
      drop trigger if exists engram_index_memories_del on memories;
      drop trigger if exists engram_index_messages_ins on messages;
      drop trigger if exists engram_index_messages_upd on messages;
      drop trigger if exists engram_index_messages_del on messages;
      truncate index_changes""";
  static final String HEAD = "select coalesce(max(seq), 0) from index_changes";
  static final String READ = """
      select seq, feed, id, deleted from index_changes where seq > $1 order by seq limit $2""";

  private final Vertx vertx;
  private final Pool pool;
  private final Map<String, PassageIndex> indexes;
  private final Map<String, IndexSync.Feed> feeds;
  private long applied;
  /** When the gap after {@link #applied} was first seen (System.nanoTime), or 0 when there is none. */
  private long gapSince;
  private boolean polling;

  private IndexChanges(Vertx vertx, Pool pool, Map<String, PassageIndex> indexes, Map<String, IndexSync.Feed> feeds,
      long applied) {
    this.vertx = vertx;
    this.pool = pool;
    this.indexes = indexes;
    this.feeds = feeds;
    this.applied = applied;
  }

  /** Turns the change log on and answers its head: read it before the indexes are synced, apply from it after. */
  static Future<Long> enable(Pool pool) {
    // one node at a time: two concurrent replacements of one trigger fail
    return pool.withTransaction(conn -> conn.query("select pg_advisory_xact_lock(" + ENABLE_LOCK + ")").execute()
            .compose(v -> conn.query(ENABLE).execute()))
        .compose(v -> pool.query(HEAD).execute())
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Outside cluster mode: no change log (a database that served a cluster before stops filling it). */
  static Future<Void> disableIfEnabled(Pool pool) {
    return pool.query(ENABLED).execute().compose(rows -> rows.iterator().next().getLong(0) == 0
        ? Future.succeededFuture() : pool.query(DISABLE).execute().mapEmpty());
  }

  /** Follows the change log from {@code head} on, every {@link #POLL_MS}. */
  static void follow(Vertx vertx, Pool pool, Map<String, PassageIndex> indexes, Map<String, IndexSync.Feed> feeds,
      long head) {
    IndexChanges changes = new IndexChanges(vertx, pool, indexes, feeds, head);
    vertx.setPeriodic(POLL_MS, id -> changes.poll());
  }

  private void poll() {
    if (polling) {
      return;
    }
    polling = true;
    pool.preparedQuery(READ).execute(Tuple.of(applied, BATCH)).compose(rows -> {
      Map<String, Set<UUID>> upserts = new HashMap<>();
      Map<String, Set<UUID>> deletes = new HashMap<>();
      long position = applied;
      boolean gap = false;
      for (Row r : rows) {
        long seq = r.getLong("seq");
        if (!gap && seq == position + 1) {
          position = seq;
        } else {
          gap = true;
        }
        String feed = r.getString("feed");
        UUID id = r.getUUID("id");
        if (r.getBoolean("deleted")) {
          deletes.computeIfAbsent(feed, f -> new HashSet<>()).add(id);
          upserts.getOrDefault(feed, new HashSet<>()).remove(id);
        } else {
          upserts.computeIfAbsent(feed, f -> new HashSet<>()).add(id);
        }
      }
      long contiguous = position;
      long last = rows.size() == 0 ? applied : lastSeq(rows);
      boolean sawGap = gap;
      return apply(upserts, deletes).map(v -> {
        advance(contiguous, last, sawGap);
        return null;
      });
    }).onComplete(ar -> {
      polling = false;
      if (ar.failed()) {
        LOG.warn("Applying the index change log failed (retrying): {}", ar.cause().getMessage());
      }
    });
  }

  private static long lastSeq(io.vertx.sqlclient.RowSet<Row> rows) {
    long last = 0;
    for (Row r : rows) {
      last = r.getLong("seq");
    }
    return last;
  }

  /** Moves the position over what was read in order; over a gap too once it has been open for {@link #GAP_MS}. */
  private void advance(long contiguous, long last, boolean gap) {
    if (!gap) {
      applied = contiguous;
      gapSince = 0;
      return;
    }
    if (contiguous > applied) {
      applied = contiguous;
      gapSince = System.nanoTime();
    } else if (gapSince == 0) {
      gapSince = System.nanoTime();
    } else if (System.nanoTime() - gapSince > GAP_MS * 1_000_000) {
      LOG.debug("index change log: skipping a gap after {} (rolled back)", applied);
      applied = last;
      gapSince = 0;
    }
  }

  private Future<Void> apply(Map<String, Set<UUID>> upserts, Map<String, Set<UUID>> deletes) {
    List<Future<?>> done = new ArrayList<>();
    deletes.forEach((feed, ids) -> {
      PassageIndex index = indexes.get(feed);
      if (index != null) {
        done.add(index.delete(ids));
      }
    });
    upserts.forEach((feed, ids) -> {
      PassageIndex index = indexes.get(feed);
      IndexSync.Feed source = feeds.get(feed);
      if (index == null || ids.isEmpty()) {
        return;
      }
      done.add(pool.preparedQuery(source.byIdsSql()).execute(Tuple.of(ids.toArray(UUID[]::new))).compose(rows -> {
        List<IndexedPassage> entries = UserRepository.collect(rows, source.entry());
        Set<UUID> gone = new HashSet<>(ids);
        entries.forEach(e -> gone.remove(e.id()));
        return Future.all(index.upsert(entries), gone.isEmpty() ? Future.succeededFuture() : index.delete(gone));
      }));
    });
    return Future.all(done).mapEmpty();
  }
}
