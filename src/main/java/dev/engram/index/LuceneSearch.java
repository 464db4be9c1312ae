package dev.engram.index;

import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.index.RankFusion.Scored;
import dev.engram.index.ScopeVectors.ScopeHits;
import dev.engram.kernel.ApiException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;

/**
 * Runs a {@link PassageQuery} against one searcher snapshot: k-NN, BM25 (a keyword search: every hit has a query
 * word), or both, BM25 then with {@link TextFeedback}, fused by {@link RankFusion#relative} and rescored with {@link
 * PassageContext}. Fusion works on Lucene doc ids of the
 * snapshot, so only the final hits have their passage id read.
 */
final class LuceneSearch {
  static final int MAX_OVERSAMPLED = 1_000;

  private final LuceneStore store;
  private final LuceneTuning tuning;
  /** The vectors held in memory for exact search: the store's own, or (benchmarks) all of them. */
  private final ScopeVectors vectors;

  /** Where the scan of a large owner gets a second thread ({@link SharedScan}); null: none. */
  private final Executor scanHelper;

  LuceneSearch(LuceneStore store, LuceneTuning tuning) {
    this(store, tuning, store.vectors, null);
  }

  LuceneSearch(LuceneStore store, LuceneTuning tuning, Executor scanHelper) {
    this(store, tuning, store.vectors, scanHelper);
  }

  LuceneSearch(LuceneStore store, LuceneTuning tuning, ScopeVectors vectors) {
    this(store, tuning, vectors, null);
  }

  private LuceneSearch(LuceneStore store, LuceneTuning tuning, ScopeVectors vectors, Executor scanHelper) {
    this.store = store;
    this.tuning = tuning;
    this.vectors = vectors;
    this.scanHelper = scanHelper;
  }

  List<ScoredPassage> search(PassageQuery q) throws IOException {
    int limit = q.limit();
    SearchMode mode = QueryModes.effective(q);
    if (mode == null || limit <= 0 || q.owners() == null || q.owners().isEmpty()) {
      return List.of();
    }
    ScopeHits scanned = null;
    if (mode == SearchMode.VECTOR) {
      scanned = vectors.search(q.userId(), q.owners(), q.vector(), limit, DotProduct.FASTEST, scanHelper);
      if (scanned.complete()) {
        return scanned.exact(); // all in memory: no searcher, so no refresh of the reader either
      }
    }
    IndexSearcher searcher = store.acquire();
    try {
      if (mode == SearchMode.VECTOR) {
        return resolve(searcher, vector(searcher, q, limit, candidates(limit), scanned, true), true);
      }
      Query filter = LuceneDocs.filter(searcher.getIndexReader(), q.userId(), q.owners());
      return mode == SearchMode.TEXT
          ? resolve(searcher, text(searcher, q.text(), filter, limit, TextFeedback.Settings.OFF,
              QueryHints.Settings.OFF), false)
          : hybrid(searcher, q, filter, limit);
    } finally {
      store.release(searcher);
    }
  }

  /**
   * BM25 and vector, each {@code depth} deep, fused, then neighbour context. The vector half gathers {@code
   * max(depth, vectorCandidates)} HNSW candidates, not the oversampled count of a vector search: fusion rescales it
   * between its best and its last score and weighs it 0.3, so a true neighbour that HNSW misses near the bottom of
   * the list barely moves the top. On 100,000 near-duplicate memories of one scope ({@code scripts/bench.sh hybrid})
   * the hybrid top 10 with 100 candidates held 99.4 % of the hits it has with an exact vector half (200: 99.5 %,
   * 400: 99.7 %, the 1,000 of a vector search: 99.9 %), and the vector half took about 0.4 ms of CPU instead of 3.5.
   */
  private List<ScoredPassage> hybrid(IndexSearcher searcher, PassageQuery q, Query filter, int limit)
      throws IOException {
    int depth = Math.max(limit, tuning.hybridDepth());
    var fused = RankFusion.relative(2 * depth, new double[] {tuning.textWeight(), 1 - tuning.textWeight()},
        List.of(scored(text(searcher, q.text(), filter, depth, tuning.feedback(), tuning.hints())),
            scored(vector(searcher, q, depth, Math.max(depth, tuning.vectorCandidates()),
                vectors.search(q.userId(), q.owners(), q.vector(), depth, DotProduct.FASTEST, scanHelper), false))));
    if (tuning.contextWeight() > 0) {
      fused = PassageContext.rescore(searcher, store.ownerOrder, fused, limit, tuning.contextWeight(),
          tuning.contextReach());
    }
    int n = Math.min(limit, fused.size());
    int[] docs = new int[n];
    for (int i = 0; i < n; i++) {
      docs[i] = fused.get(i).item();
    }
    double[] similarities = StoredSimilarity.of(searcher.getIndexReader(), docs, q.vector());
    var out = new ArrayList<ScoredPassage>(n);
    StoredFields fields = searcher.storedFields();
    for (int i = 0; i < n; i++) {
      out.add(new ScoredPassage(LuceneDocs.idOf(searcher.getIndexReader(), fields, docs[i]), fused.get(i).score(),
          similarities[i]));
    }
    return out;
  }

  /**
   * The HNSW candidates per segment of a vector search for the best {@code n}: {@code n * oversample} (at least
   * {@code vectorCandidates}). What oversampling buys is the true neighbours that a narrow beam walks past among
   * near-duplicates. It stops at {@link #MAX_OVERSAMPLED} candidates: deep rankings (filtered Mem0 searches up to
   * 20,000 deep) are a wide beam already, and a beam of n * 40 there would visit most of the graph.
   */
  private int candidates(int n) {
    int oversampled = (int) Math.min(MAX_OVERSAMPLED, (long) n * tuning.oversample());
    return Math.max(Math.max(n, tuning.vectorCandidates()), oversampled);
  }

  /**
   * The best {@code n} by vector of the query's scope: the exact best of its owners held in memory ({@code scanned},
   * from {@link ScopeVectors}), merged by score with the best of its large owners. Those in {@link
   * LuceneDocs#LARGE_VECTOR} are scanned ({@link StoredVectorScan}); those in the HNSW field are asked of HNSW,
   * gathering {@code candidates} per segment (HNSW's scores are already exact dot products of the stored
   * full-precision vectors, so keeping the best {@code n} of the candidates is the re-scoring). With {@code scanLarge}
   * (a vector search, not the vector half of a hybrid one), owners in the HNSW field are scanned too, all together,
   * while they hold up to {@link StoredVectorScan#LIMIT} vectors whose codes can fit their budget ({@link
   * StoredVectorScan#scans}), unless exact search is off ({@code exactLimit} 0: HNSW alone, as the benchmarks that
   * measure it need).
   */
  private TopDocs vector(IndexSearcher searcher, PassageQuery q, int n, int candidates, ScopeHits scanned,
      boolean scanLarge) throws IOException {
    TopDocs best = LuceneDocs.docsOf(searcher, scanned.exact());
    List<UUID> flat = scanned.scannedOwners();
    List<UUID> graphed = scanned.graphedOwners();
    IndexReader reader = searcher.getIndexReader();
    try {
      if (!graphed.isEmpty() && scanLarge && tuning.exactLimit() > 0
          && StoredVectorScan.scans(LuceneDocs.ownedDocs(reader, graphed), q.vector().length, store.quantized)) {
        flat = new ArrayList<>(flat);
        flat.addAll(graphed);
        graphed = List.of();
      }
      if (!flat.isEmpty()) {
        best = merged(n, best, StoredVectorScan.top(reader, store.quantized, q.userId(), flat, q.vector(), n,
            scanHelper));
      }
      if (!graphed.isEmpty()) {
        Query filter = LuceneDocs.filter(reader, q.userId(), graphed);
        best = merged(n, best, searcher.search(filter == null
            ? new KnnFloatVectorQuery(LuceneDocs.VECTOR, q.vector(), candidates)
            : new KnnFloatVectorQuery(LuceneDocs.VECTOR, q.vector(), candidates, filter), n));
      }
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("query vector does not fit the index: " + e.getMessage());
    }
    return best;
  }

  private static TopDocs merged(int n, TopDocs a, TopDocs b) {
    return a.scoreDocs.length == 0 ? b : LuceneDocs.merge(n, a, b);
  }

  /**
   * BM25 over the query's words and the {@link QueryHints} of its text, then (feedback on) again with the words
   * {@link TextFeedback} adds from the hits.
   */
  private TopDocs text(IndexSearcher searcher, String text, Query filter, int n, TextFeedback.Settings feedback,
      QueryHints.Settings hints) throws IOException {
    List<String> words = LuceneDocs.words(store.queryAnalyzer, text);
    Map<String, Float> hinted = QueryHints.extra(store.queryAnalyzer, text, hints);
    Query query = LuceneDocs.textQuery(words, hinted, filter);
    if (query == null) {
      return new TopDocs(null, new ScoreDoc[0]);
    }
    if (!feedback.on()) {
      return searcher.search(query, n);
    }
    // only the few passages that lend words are needed: a shallower top lets BM25 skip more
    TopDocs first = searcher.search(query, feedback.docs());
    Set<String> known = new HashSet<>(words);
    known.addAll(hinted.keySet());
    Map<String, Float> extra = TextFeedback.expansion(searcher.getIndexReader(), first.scoreDocs, known, feedback);
    if (extra.isEmpty()) {
      // rare (the hits have no other word): the first search holds the answer only if it found every match
      boolean all = first.scoreDocs.length < feedback.docs() && first.scoreDocs.length <= n;
      return all ? first : searcher.search(query, n);
    }
    extra.putAll(hinted);
    return searcher.search(LuceneDocs.textQuery(words, extra, filter), n);
  }

  private static List<Scored<Integer>> scored(TopDocs top) {
    var out = new ArrayList<Scored<Integer>>(top.scoreDocs.length);
    for (ScoreDoc d : top.scoreDocs) {
      out.add(new Scored<>(d.doc, d.score));
    }
    return out;
  }

  private static List<ScoredPassage> resolve(IndexSearcher searcher, TopDocs top, boolean cosine) throws IOException {
    var out = new ArrayList<ScoredPassage>(top.scoreDocs.length);
    StoredFields fields = searcher.storedFields();
    for (ScoreDoc d : top.scoreDocs) {
      out.add(new ScoredPassage(LuceneDocs.idOf(searcher.getIndexReader(), fields, d.doc),
          cosine ? LuceneDocs.cosine(d.score) : d.score));
    }
    return out;
  }
}
