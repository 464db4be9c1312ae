package dev.engram.index;

import dev.engram.index.PassageIndex.IndexStats;
import dev.engram.index.PassageIndex.IndexedPassage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.AlreadyClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One on-disk Lucene index of passages: a single {@link IndexWriter} and near-real-time searchers. Every method
 * blocks (disk I/O, HNSW work) and is thread-safe; {@link LuceneIndex} runs them on worker threads. A write is
 * visible to every search that starts after the write returned.
 */
final class LuceneStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LuceneStore.class);
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
  /** How long a close waits for Lucene to let go of the index after the last commit (see {@link #close}). */
  static final long CLOSE_WAIT_MS = 5_000;

  final Analyzer analyzer = TextAnalysis.index();
  final Analyzer queryAnalyzer = TextAnalysis.query();
  final BM25Similarity similarity;
  /** Whether texts keep their term vectors: only an index whose searches use feedback reads them. */
  private final boolean termVectors;
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  /** The vectors of small owners in memory for exact search; every write below changes it after Lucene. */
  final ScopeVectors vectors;
  /** The segments' vectors of large owners in bytes, for their scans ({@link StoredVectorScan}). */
  final QuantizedSegments quantized = QuantizedSegments.ofHeap();
  /** Each owner's passages in seq order, per segment, for neighbour context. */
  final OwnerOrder ownerOrder = new OwnerOrder();
  /**
   * Writes hold it shared; a batch of {@link #move} holds it alone, so that no write of a passage it rebuilds slips
   * between its read and its rewrite.
   */
  private final ReadWriteLock writeLock = new ReentrantReadWriteLock();
  /** Runs {@link #move} off the caller's thread (a thread of its own in {@link LuceneIndex}). */
  private final Executor background;
  /** Writes done so far, and the number of them the current searcher already reflects. */
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong visible = new AtomicLong();

  private LuceneStore(Path dir, LuceneTuning tuning, ExecutorService mergeExecutor, Executor background)
      throws IOException {
    this.background = background;
    similarity = new BM25Similarity(tuning.bm25K1(), tuning.bm25B());
    termVectors = tuning.feedback().on();
    Files.createDirectories(dir);
    directory = new SegmentCache(FSDirectory.open(dir));
    writer = IndexWriters.open(dir, directory,
        mode -> IndexWriters.config(analyzer, similarity, tuning, mergeExecutor, quantized::warm, mode));
    searchers = new SearcherManager(writer, new SearcherFactory() {
      @Override
      public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
        var searcher = new IndexSearcher(reader);
        searcher.setSimilarity(similarity);
        return searcher;
      }
    });
    // exact search off: every search by HNSW, so an index written with it on moves its owners to the HNSW field
    vectors = loadVectors(dir, tuning.exactLimit(), tuning.graphLarge() || tuning.exactLimit() <= 0
        ? ScopeVectors.Placement.GRAPH : StoredVectorScan.placement(quantized));
    scheduleMoves();
  }

  private ScopeVectors loadVectors(Path dir, int exactLimit, ScopeVectors.Placement placement) throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      ScopeVectors loaded = ScopeVectors.load(searcher.getIndexReader(), exactLimit, placement);
      log.info("Lucene index in {}: the vectors of owners of up to {} are searched exactly ({} dot product), without"
          + " an HNSW graph; {} of them held in memory; scans of larger owners read byte codes of up to {} MB",
          dir, exactLimit, DotProduct.FASTEST.name(), loaded.size(), quantized.budget() >> 20);
      return loaded;
    } finally {
      searchers.release(searcher);
    }
  }

  /** Opens (or creates) the index in {@code dir}; an unreadable index is discarded, since it can be rebuilt. */
  static LuceneStore open(Path dir, LuceneTuning tuning, ExecutorService mergeExecutor, Executor background)
      throws IOException {
    return new LuceneStore(dir, tuning, mergeExecutor, background);
  }

  void upsert(Collection<IndexedPassage> passages) throws IOException {
    write(() -> {
      vectors.upsert(passages);
      for (IndexedPassage p : passages) {
        writer.updateDocument(LuceneDocs.idTerm(p.id()), document(p));
      }
    });
  }

  /** Adds documents without deleting older versions by id: the caller knows there are none. */
  void add(Collection<IndexedPassage> passages) throws IOException {
    write(() -> {
      vectors.upsert(passages);
      List<Document> docs = new ArrayList<>(passages.size());
      for (IndexedPassage p : passages) {
        docs.add(document(p));
      }
      writer.addDocuments(docs);
    });
  }

  /** The document of a passage; the vectors decided, before, which field its vector goes to. */
  private Document document(IndexedPassage p) {
    return LuceneDocs.document(p, termVectors, vectors.fieldOf(p.userId(), p.ownerId()));
  }

  private interface Write {
    void run() throws IOException;
  }

  private void write(Write write) throws IOException {
    writeLock.readLock().lock();
    try {
      write.run();
      writes.incrementAndGet();
    } finally {
      writeLock.readLock().unlock();
    }
    scheduleMoves();
  }

  private void scheduleMoves() {
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
      IndexSearcher searcher = acquire();
      try {
        found = FlatPassages.forEachBatch(searcher.getIndexReader(), owner, batchSize,
            batch -> moved[0] += rebuild(owner, field, batch));
      } finally {
        searchers.release(searcher);
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

  /**
   * Deletions are committed before they are acknowledged: a lost delete would not be repaired by a catch-up that
   * replays by seq. This one's commit is the caller's ({@link LuceneIndex} group-commits them); the others commit here.
   */
  void delete(Collection<UUID> ids) throws IOException {
    write(() -> {
      writer.deleteDocuments(ids.stream().map(LuceneDocs::idTerm).toArray(Term[]::new));
      vectors.delete(ids);
    });
  }

  void deleteOwner(UUID user, UUID owner) throws IOException {
    write(() -> {
      writer.deleteDocuments(LuceneDocs.filter(user, List.of(owner)));
      vectors.deleteOwner(user, owner);
    });
    writer.commit();
  }

  void deleteUser(UUID user) throws IOException {
    write(() -> {
      writer.deleteDocuments(new Term(LuceneDocs.USER, user.toString()));
      vectors.deleteUser(user);
    });
    writer.commit();
  }

  void clear() throws IOException {
    write(() -> {
      writer.deleteAll();
      vectors.clear();
    });
    writer.commit();
  }

  void commit() throws IOException {
    if (writer.hasUncommittedChanges()) {
      writer.commit();
    }
  }

  /** The documents of the searcher the last search used (no refresh: see {@link PassageIndex#size}). */
  long size() throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      return searcher.getIndexReader().numDocs();
    } finally {
      searchers.release(searcher);
    }
  }

  IndexStats stats() throws IOException {
    IndexSearcher searcher = acquire();
    try {
      int count = searcher.getIndexReader().numDocs();
      if (count == 0) {
        return new IndexStats(0, -1);
      }
      var top = searcher.search(new MatchAllDocsQuery(), 1,
          new Sort(new SortField(LuceneDocs.SEQ, SortField.Type.LONG, true)));
      long maxSeq = searcher.storedFields().document(top.scoreDocs[0].doc).getField(LuceneDocs.SEQ)
          .numericValue().longValue();
      return new IndexStats(count, maxSeq);
    } finally {
      searchers.release(searcher);
    }
  }

  /** A searcher that sees every write that returned before this call; pass it back to {@link #release}. */
  IndexSearcher acquire() throws IOException {
    long wanted = writes.get();
    if (visible.get() < wanted) {
      SearchFirstMergeScheduler.refresh(searchers::maybeRefreshBlocking);
      visible.accumulateAndGet(wanted, Math::max);
    }
    return searchers.acquire();
  }

  void release(IndexSearcher searcher) throws IOException {
    searchers.release(searcher);
  }

  void forceMerge(int maxSegments) throws IOException {
    writer.forceMerge(maxSegments);
    writes.incrementAndGet();
  }

  /** How many live documents have their vector in {@code field}, as the next search sees them. */
  int vectorsIn(String field) throws IOException {
    IndexSearcher searcher = acquire();
    try {
      int count = 0;
      for (var leaf : searcher.getIndexReader().leaves()) {
        var values = leaf.reader().getFloatVectorValues(field);
        var live = leaf.reader().getLiveDocs();
        for (int doc = values == null ? DocIdSetIterator.NO_MORE_DOCS : values.nextDoc();
            doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
          count += live == null || live.get(doc) ? 1 : 0;
        }
      }
      return count;
    } finally {
      searchers.release(searcher);
    }
  }

  int segmentCount() throws IOException {
    IndexSearcher searcher = acquire();
    try {
      return searcher.getIndexReader().leaves().size();
    } finally {
      searchers.release(searcher);
    }
  }

  /**
   * Commits every write, then closes without waiting long for background merges (a merge of HNSW graphs can run for
   * minutes): {@code rollback} after the commit aborts them and loses nothing; they are redone later if needed. But
   * Lucene's graph building never checks for the abort, so the rollback waits for a running graph merge to end (a stop
   * waited more than 60 s after the 100,000-memory side-by-side). It runs on a daemon thread that the stop waits for
   * at most {@link #CLOSE_WAIT_MS}: what is committed is safe whenever the process exits; only reopening this index in
   * the same process fails until that merge ends.
   */
  @Override
  public void close() throws IOException {
    try {
      searchers.close();
      writer.commit();
    } finally {
      Thread closer = new Thread(() -> {
        try {
          writer.rollback();
        } catch (IOException | RuntimeException e) {
          log.warn("Closing the Lucene index after its last commit failed", e);
        } finally {
          try {
            directory.close();
          } catch (IOException e) {
            log.warn("Closing the Lucene directory failed", e);
          }
        }
      }, "engram-lucene-close");
      closer.setDaemon(true);
      closer.start();
      try {
        closer.join(CLOSE_WAIT_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (closer.isAlive()) {
        log.warn("Lucene index committed and left to close on its own: a merge of HNSW graphs is still running (it"
            + " ends, or is dropped at exit and redone later)");
      }
    }
  }
}
