package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.index.PassageIndex.IndexStats;
import dev.engram.index.PassageIndex.IndexedPassage;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings an index level with the PostgreSQL rows it is derived from, before the store serves searches. When the
 * index only lacks the newest rows it is caught up from its highest {@code seq}; when it disagrees otherwise
 * (missing folder, lost deletes, rows committed out of order) it is cleared and rebuilt from every row.
 */
final class IndexSync {
  private static final Logger LOG = LoggerFactory.getLogger(IndexSync.class);
  private static final int BATCH = 1000;

  /**
   * What an index is built from: a count and a seq-ordered page query over the same rows, a query of some of them by
   * id (cluster mode's change feed, {@link IndexChanges}), and a row mapper.
   */
  record Feed(String name, String countSql, String pageSql, String byIdsSql, Function<Row, IndexedPassage> entry) {}

  private IndexSync() {}

  static Future<Void> sync(Pool pool, PassageIndex index, Feed feed) {
    return Future.all(truth(pool, feed), index.stats()).compose(both -> {
      IndexStats rows = both.resultAt(0);
      IndexStats indexed = both.resultAt(1);
      if (rows.count() == indexed.count() && rows.maxSeq() == indexed.maxSeq()) {
        return Future.succeededFuture();
      }
      if (indexed.maxSeq() <= rows.maxSeq() && indexed.count() <= rows.count()) {
        LOG.info("{} index behind ({} of {} rows): catching up", feed.name(), indexed.count(), rows.count());
        return copyFrom(pool, index, feed, indexed.maxSeq(), 0)
            .compose(n -> Future.all(truth(pool, feed), index.stats()))
            .compose(again -> {
              IndexStats r = again.resultAt(0);
              IndexStats i = again.resultAt(1);
              return r.count() == i.count() ? index.flush() : rebuild(pool, index, feed);
            });
      }
      return rebuild(pool, index, feed);
    });
  }

  /**
   * An index write after its rows were committed: a failure is logged, not reported, because the rows are safe and
   * the index is caught up from them at the next start; failing would invite the client to write them again.
   */
  static Future<Void> bestEffort(Future<Void> write, String what) {
    return write.recover(e -> {
      LOG.warn("index update failed after {} (the index is caught up from the database at the next start)", what, e);
      return Future.succeededFuture();
    });
  }

  private static Future<Void> rebuild(Pool pool, PassageIndex index, Feed feed) {
    LOG.info("{} index disagrees with the database: rebuilding it", feed.name());
    long started = System.nanoTime();
    return index.clear().compose(v -> copyFrom(pool, index, feed, -1, 0)).compose(n -> {
      LOG.info("{} index rebuilt: {} entries in {} ms", feed.name(), n, (System.nanoTime() - started) / 1_000_000);
      return index.flush();
    });
  }

  private static Future<Long> copyFrom(Pool pool, PassageIndex index, Feed feed, long afterSeq, long copied) {
    return pool.preparedQuery(feed.pageSql()).execute(Tuple.of(afterSeq, BATCH)).compose(rows -> {
      List<IndexedPassage> entries = UserRepository.collect(rows, feed.entry());
      if (entries.isEmpty()) {
        return Future.succeededFuture(copied);
      }
      long last = entries.get(entries.size() - 1).seq();
      return index.add(entries).compose(v -> entries.size() < BATCH
          ? Future.succeededFuture(copied + entries.size())
          : copyFrom(pool, index, feed, last, copied + entries.size()));
    });
  }

  private static Future<IndexStats> truth(Pool pool, Feed feed) {
    return pool.preparedQuery(feed.countSql()).execute()
        .map(rows -> {
          Row r = rows.iterator().next();
          return new IndexStats(r.getLong(0), r.getLong(1));
        });
  }
}
