package dev.engram.index;

import dev.engram.kernel.ApiException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The in-process {@link PassageIndex}: Apache Lucene 9.12 on disk in one directory, HNSW for vectors (dot product
 * over unit vectors) and BM25 for text (k1 1.2, b 0.4 by default; see {@link TextAnalysis} for stemming and stop
 * words). All Lucene work runs on a dedicated worker pool; the index is opened on first use, survives restarts, and
 * a missing or unreadable directory, or one written with an older document layout, just yields an empty index (which
 * {@code IndexSync} rebuilds from the database).
 *
 * <p>Scores of {@link ScoredPassage}: VECTOR gives the cosine similarity (-1..1); TEXT gives the BM25 score
 * (0..unbounded, comparable only within one query; a keyword search: every hit has a query word). HYBRID runs BM25
 * with {@link QueryHints} and {@link TextFeedback} and k-NN, each {@code max(limit, hybridDepth)} deep, fuses them
 * by {@link RankFusion#relative} ({@code textWeight} 0.7 for BM25, 0.3 for the vector, each ranking rescaled to 0..1: a hit
 * best in both scores 1), then adds neighbour context ({@link PassageContext}: {@code contextWeight} 0.3 times the
 * best fused score among the passages stored just before and after by the same owner, half of that for those two
 * places away), so its scores lie in 0..1.3.
 * HYBRID with only a text or only a vector falls back to that single mode and its scores. A search sees every write
 * acknowledged before it started.
 *
 * <p>Durability: deletions and {@link #clear()} are committed before their future completes; upserts are committed
 * by {@link #flush()}, by the periodic background commit ({@link LuceneTuning#commitIntervalMs()}) and on close.
 * Deletions by id are group-committed ({@link #durable}).
 */
public final class LuceneIndex implements PassageIndex {
  private final Vertx vertx;
  private final Path dir;
  private final LuceneTuning tuning;
  private final WorkerExecutor workers;
  /** One thread that commits for {@link #durable}: an fsync never holds up the workers that search and write. */
  private final WorkerExecutor committer;
  /**
   * One thread that moves the vectors of owners outgrowing exact search out of memory (seconds into the flat field of
   * large owners, tens of seconds into the HNSW field): on the workers it would hold one of the two for that long, leaving searches and writes the other.
   */
  private final WorkerExecutor mover;
  /** The commit that writes waiting to be durable now will be in; null when none is waiting to start. */
  private Future<Void> nextCommit;
  private final Object commitGate = new Object();
  private final ExecutorService mergeExecutor;
  private final long commitTimer;
  /** The open index, null until first use. */
  private volatile Opened opened;
  private volatile boolean closed;

  public LuceneIndex(Vertx vertx, Path dir) {
    this(vertx, dir, LuceneTuning.DEFAULTS);
  }

  public LuceneIndex(Vertx vertx, Path dir, LuceneTuning tuning) {
    this.vertx = vertx;
    this.dir = dir;
    this.tuning = tuning;
    this.workers = vertx.createSharedWorkerExecutor("engram-lucene-" + dir.toAbsolutePath(), tuning.workerThreads(),
        30, TimeUnit.MINUTES);
    this.committer = vertx.createSharedWorkerExecutor("engram-lucene-commit-" + dir.toAbsolutePath(), 1, 30,
        TimeUnit.MINUTES);
    this.mover = vertx.createSharedWorkerExecutor("engram-lucene-move-" + dir.toAbsolutePath(), 1, 60,
        TimeUnit.MINUTES);
    this.mergeExecutor = tuning.mergeWorkers() > 1 ? Executors.newFixedThreadPool(tuning.mergeWorkers()) : null;
    this.commitTimer = tuning.commitIntervalMs() > 0 ? vertx.setPeriodic(tuning.commitIntervalMs(), t -> flush()) : -1;
  }

  @Override
  public Future<Void> upsert(List<IndexedPassage> passages) {
    for (IndexedPassage p : passages) {
      if (p.vector() != null && p.vector().length == 0) {
        return Future.failedFuture(ApiException.badRequest("passage " + p.id() + " has an empty vector"));
      }
    }
    return passages.isEmpty() ? Future.succeededFuture() : run(() -> store().upsert(passages));
  }

  @Override
  public Future<Void> add(List<IndexedPassage> passages) {
    for (IndexedPassage p : passages) {
      if (p.vector() != null && p.vector().length == 0) {
        return Future.failedFuture(ApiException.badRequest("passage " + p.id() + " has an empty vector"));
      }
    }
    return passages.isEmpty() ? Future.succeededFuture() : run(() -> store().add(passages));
  }

  @Override
  public Future<Void> delete(Collection<UUID> ids) {
    return ids.isEmpty() ? Future.succeededFuture() : run(() -> store().delete(ids)).compose(v -> durable());
  }

  @Override
  public Future<Void> deleteOwner(UUID userId, UUID ownerId) {
    return run(() -> store().deleteOwner(userId, ownerId));
  }

  @Override
  public Future<Void> deleteUser(UUID userId) {
    return run(() -> store().deleteUser(userId));
  }

  @Override
  public Future<List<ScoredPassage>> search(PassageQuery query) {
    return call(() -> open().search.search(query));
  }

  @Override
  public Future<IndexStats> stats() {
    return call(() -> store().stats());
  }

  @Override
  public Future<Long> size() {
    return call(() -> store().size());
  }

  @Override
  public Future<Void> flush() {
    return closed ? Future.succeededFuture() : run(() -> store().commit());
  }

  @Override
  public Future<Void> clear() {
    return run(() -> store().clear());
  }

  /** Merges the index down to at most {@code maxSegments} segments (fewer HNSW graphs to search; slow). */
  public Future<Void> forceMerge(int maxSegments) {
    return run(() -> store().forceMerge(maxSegments));
  }

  /** How many segments (each with its own HNSW graph) a search currently visits. */
  public Future<Integer> segmentCount() {
    return call(() -> store().segmentCount());
  }

  /** How many vectors are held in memory for exact search (those of small owners and of owners being moved). */
  Future<Integer> heldVectors() {
    return call(() -> store().vectors.size());
  }

  /** How many live documents have their vector in {@code field} (one of {@link LuceneDocs#VECTOR_FIELDS}). */
  Future<Integer> vectorsIn(String field) {
    return call(() -> store().vectorsIn(field));
  }

  /** Commits and releases the index (blocks while Lucene commits; call at shutdown, not on an event loop). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (commitTimer >= 0) {
      vertx.cancelTimer(commitTimer);
    }
    try {
      if (opened != null) {
        opened.store.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      workers.close();
      committer.close();
      mover.close();
      if (mergeExecutor != null) {
        mergeExecutor.shutdown();
      }
    }
  }

  private record Opened(LuceneStore store, LuceneSearch search) {}

  private LuceneStore store() throws IOException {
    return open().store;
  }

  private Opened open() throws IOException {
    Opened o = opened;
    if (o != null) {
      return o;
    }
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the Lucene index is closed");
      }
      if (opened == null) {
        LuceneStore store = LuceneStore.open(dir, tuning, mergeExecutor,
            task -> mover.executeBlocking(() -> {
              if (!closed) {
                task.run();
              }
              return null;
            }, false));
        opened = new Opened(store, new LuceneSearch(store, tuning, task -> workers.executeBlocking(() -> {
          task.run(); // a second thread for one search's scan of a large owner, when the other worker is free
          return null;
        }, false)));
      }
      return opened;
    }
  }

  /**
   * Completes once a commit that started after this call has finished: group commit. A commit takes several fsyncs
   * (tens of ms on a busy disk), and each asynchronous add's settle deletes its raw messages; with one commit per
   * delete on the two search workers, searches queued behind fsyncs (scripts/bench.sh async-adds, 8 callers). Now
   * the deletes that arrive while a commit runs share the next one, on a thread of its own. The answer comes on the
   * caller's context.
   */
  private Future<Void> durable() {
    Context caller = vertx.getOrCreateContext();
    Future<Void> commit;
    synchronized (commitGate) {
      if (nextCommit == null) {
        nextCommit = committer.executeBlocking(() -> {
          synchronized (commitGate) {
            nextCommit = null; // what is applied from now on waits for the commit after this one
          }
          if (!closed) {
            store().commit();
          }
          return null;
        }, false);
      }
      commit = nextCommit;
    }
    Promise<Void> answer = Promise.promise();
    commit.onComplete(ar -> caller.runOnContext(v -> answer.handle(ar)));
    return answer.future();
  }

  private interface Work {
    void run() throws Exception;
  }

  private Future<Void> run(Work work) {
    return call(() -> {
      work.run();
      return null;
    });
  }

  private <T> Future<T> call(Callable<T> work) {
    if (closed) { // a timer (the size gauges) may still ask; the closed pool would throw instead of answering
      return Future.failedFuture(new IllegalStateException("the Lucene index is closed"));
    }
    return workers.executeBlocking(work, false);
  }
}
