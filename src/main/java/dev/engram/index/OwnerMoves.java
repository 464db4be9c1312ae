package dev.engram.index;

import dev.engram.index.PassageIndex.IndexedPassage;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.AlreadyClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The moves of a {@link LuceneStore}'s owners that outgrew exact search: their passages rebuilt, a batch at a time,
 * from the flat field into the large owners' field they were given ({@link #move}), on a background thread, while
 * writes and searches go on. The store's writes hold its write lock shared; a batch holds it alone.
 */
final class OwnerMoves {
  private static final Logger log = LoggerFactory.getLogger(OwnerMoves.class);
  /**
   * Documents rebuilt per hold of the write lock while a large owner's vectors move to the HNSW field ({@link #move}).
   * Every write to the index waits for a batch, and with the two workers blocked so do searches; each document is an
   * insertion into the HNSW graph of the indexing buffer (about 0.8 ms on 2 cores), so 64 of them held writes for
   * 50-126 ms (scripts/bench.sh memories --memories 60000 --callers 8: add p99 143 ms; with 8, 52 ms).
   */
  static final int GRAPH_BATCH = 8;
  /**
   * Documents rebuilt per hold of the write lock while a large owner's vectors move to {@link
   * LuceneDocs#LARGE_VECTOR}: no graph, so a document costs tens of microseconds and a batch of 256 a few ms.
   */
  static final int FLAT_BATCH = 256;
  /** A batch of {@link #move} flushes the indexing buffer first when it is fuller than this share of its size. */
  static final double FLUSH_BEFORE_GRAPH_BATCH = 0.8;

  private final LuceneStore store;
  private final IndexWriter writer;
  private final ScopeVectors vectors;
  private final ReadWriteLock writeLock;
  /** The store's count of writes: a batch is one, so that the next search sees it. */
  private final AtomicLong writes;
  private final boolean termVectors;
  private final Executor background;

  OwnerMoves(LuceneStore store, IndexWriter writer, ScopeVectors vectors, ReadWriteLock writeLock, AtomicLong writes,
      boolean termVectors, Executor background) {
    this.store = store;
    this.writer = writer;
    this.vectors = vectors;
    this.writeLock = writeLock;
    this.writes = writes;
    this.termVectors = termVectors;
    this.background = background;
  }

  /** Starts, on the background thread, the move of each owner that has started moving since the last call. */
  void schedule() {
    for (ScopeVectors.Key owner : vectors.takeMoving()) {
      background.execute(() -> {
        try {
          move(owner);
        } catch (AlreadyClosedException e) {
          log.info("Moving the vectors of owner {} out of memory stopped with the index; it is finished after the"
              + " next open", owner.owner());
        } catch (IOException | RuntimeException e) {
          log.error("Moving the vectors of owner {} out of memory failed; it stays in memory and is searched"
              + " exactly, and the move is retried when the index is next opened", owner.owner(), e);
        }
      });
    }
  }

  /**
   * Moves the vectors of an owner that outgrew exact search from the flat field to the large owners' field it was
   * given ({@link ScopeVectors#movingTo}), then lets the owner leave memory. Until then it is held and scanned, so no
   * search misses its vectors. Each pass reads the owner's flat passages from one searcher (stored id, seq and kept
   * text, the flat vector) and rebuilds them a batch at a time under the write lock ({@link #GRAPH_BATCH} into the
   * HNSW field, {@link #FLAT_BATCH} into {@link LuceneDocs#LARGE_VECTOR}), skipping those that a write changed or
   * deleted since the owner started moving (that write's version is the newer one: it went to the new field, or is
   * gone). A pass that found some is followed by another on a fresh searcher, for documents a write put in the flat
   * field just before the owner started moving. A pass holds its searcher throughout (about 45 s for 50,000 vectors
   * into the HNSW field on 2 cores), so the files of the segments it reads stay until it ends. A move cut short by a
   * stop is finished after the next open ({@link ScopeVectors#load}).
   */
  void move(ScopeVectors.Key owner) throws IOException {
    long started = System.nanoTime();
    String field = vectors.movingTo(owner);
    if (field == null) {
      return;
    }
    int batchSize = field.equals(LuceneDocs.VECTOR) ? GRAPH_BATCH : FLAT_BATCH;
    int[] moved = {0};
    int found;
    do {
      IndexSearcher searcher = store.acquire();
      try {
        found = FlatPassages.forEachBatch(searcher.getIndexReader(), owner, batchSize,
            batch -> moved[0] += rebuild(owner, field, batch));
      } finally {
        store.release(searcher);
      }
    } while (found > 0 && vectors.movingTo(owner) != null);
    vectors.moved(owner);
    log.info("Owner {} outgrew exact search: {} vectors moved to the field {} in {} ms", owner.owner(), moved[0],
        field, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Rebuilds one batch of a moving owner's flat passages with their vectors in {@code field} (see {@link #move}); how
   * many it rebuilt.
   */
  private int rebuild(ScopeVectors.Key owner, String field, List<IndexedPassage> batch) throws IOException {
    flushIfNearlyFull();
    int rebuilt = 0;
    writeLock.writeLock().lock();
    try {
      for (IndexedPassage p : batch) {
        if (field.equals(vectors.movingTo(owner)) && !vectors.writtenWhileMoving(owner, p.id())) {
          writer.updateDocument(LuceneDocs.idTerm(p.id()), LuceneDocs.document(p, termVectors, field));
          rebuilt++;
        }
      }
      writes.incrementAndGet();
    } finally {
      writeLock.writeLock().unlock();
    }
    return rebuilt;
  }

  /**
   * Flushes the indexing buffer when it is nearly full, before a batch of {@link #move} takes the write lock alone:
   * the thread whose write fills the buffer writes it out as a segment (up to the buffer's size, with its HNSW graph),
   * and while that thread holds the lock alone every write waits for it. The batch's own few documents cannot fill
   * the rest.
   */
  private void flushIfNearlyFull() throws IOException {
    double buffer = writer.getConfig().getRAMBufferSizeMB() * 1024 * 1024;
    if (buffer > 0 && writer.ramBytesUsed() > FLUSH_BEFORE_GRAPH_BATCH * buffer) {
      writer.flush();
    }
  }
}
