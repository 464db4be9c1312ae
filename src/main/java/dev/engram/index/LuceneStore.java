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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One on-disk Lucene index of passages: a single {@link IndexWriter} and near-real-time searchers. Every method
 * blocks (disk I/O, HNSW work) and is thread-safe; {@link LuceneIndex} runs them on worker threads. A write is
 * visible to every search that starts after the write returned.
 */
final class LuceneStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LuceneStore.class);
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
   * Writes hold it shared; a batch of {@link OwnerMoves} holds it alone, so that no write of a passage it rebuilds
   * slips between its read and its rewrite.
   */
  private final ReadWriteLock writeLock = new ReentrantReadWriteLock();
  /** The moves of owners that outgrew exact search, run on {@code background} (a thread of its own). */
  private final OwnerMoves moves;
  /** Writes done so far, and the number of them the current searcher already reflects. */
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong visible = new AtomicLong();

  private LuceneStore(Path dir, LuceneTuning tuning, ExecutorService mergeExecutor, Executor background)
      throws IOException {
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
    moves = new OwnerMoves(this, writer, vectors, writeLock, writes, termVectors, background);
    moves.schedule();
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
    moves.schedule();
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
