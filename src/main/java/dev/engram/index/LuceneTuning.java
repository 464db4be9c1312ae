package dev.engram.index;

import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;

/**
 * The knobs of {@link LuceneIndex}. {@link #DEFAULTS} are what the server uses; the benchmarks vary them.
 *
 * @param ramBufferMb indexing buffer before a segment is flushed (bigger: fewer, larger HNSW graphs)
 * @param hnswM HNSW links per node (Lucene's default 16)
 * @param hnswBeam HNSW beam width while building (see {@link #HNSW_BEAM}; Lucene's default is 100)
 * @param mergeWorkers threads that build one merged HNSW graph (1 = the merge thread alone)
 * @param vectorCandidates nearest neighbours gathered per segment before the top {@code limit} are kept; the
 *     over-fetch that buys recall (at least {@code limit} is always used). The vector half of a hybrid search
 *     gathers this many (at least its depth) and no more: {@code oversample} applies to vector searches only
 * @param hybridDepth how many hits each ranking (vector, BM25) contributes to a hybrid fusion (at least {@code limit})
 * @param textWeight the weight of the BM25 ranking in hybrid fusion, the vector ranking getting {@code 1 -
 *     textWeight} (see {@link RankFusion#relative})
 * @param contextWeight the share of a hybrid hit's score lent to the passages stored just before and after it by the
 *     same owner (see {@link PassageContext}; 0 turns it off)
 * @param contextReach how far neighbour context reaches: passages up to this many places before and after a hit
 *     borrow from it, the share halving with each place further (1: only the passages just before and after)
 * @param bm25K1 BM25 term-frequency saturation
 * @param bm25B BM25 length normalisation (0 none, 1 full); low values suit short conversational passages
 * @param feedback pseudo-relevance feedback of the BM25 ranking of hybrid searches (see {@link TextFeedback})
 * @param hints query rewriting of the BM25 half of hybrid searches (see {@link QueryHints})
 * @param workerThreads threads of the worker pool that runs all Lucene work
 * @param commitIntervalMs how often pending upserts are committed in the background (0 disables it)
 * @param exactLimit vector searches over a scope of up to this many vectors are exact (a scan of the vectors kept in
 *     memory, see {@link ScopeVectors}); larger scopes use HNSW. 0 turns exact search off
 * @param oversample an HNSW search for the best {@code n} gathers at least {@code n * oversample} candidates per
 *     segment (and at least {@code vectorCandidates}), then keeps the best {@code n} by their exact scores
 * @param graphLarge the vectors of every owner past {@code exactLimit} go to the HNSW field, as before large owners
 *     were scanned ({@link ScopeVectors}); false (the default) sends them there only when the byte codes' budget
 *     cannot hold their codes several times over ({@link StoredVectorScan#placement}). Benchmarks compare the two,
 *     tests force the HNSW path
 */
public record LuceneTuning(double ramBufferMb, int hnswM, int hnswBeam, int mergeWorkers, int vectorCandidates,
    int hybridDepth, double textWeight, double contextWeight, int contextReach, float bm25K1, float bm25B,
    TextFeedback.Settings feedback, QueryHints.Settings hints, int workerThreads, long commitIntervalMs,
    int exactLimit, int oversample, boolean graphLarge) {
  /**
   * See {@code exactLimit}. On near-duplicate memories (scripts/bench.sh scan, a loaded 2-vCPU Zen 4 VM, 384 dims) an
   * exact SIMD scan took 0.43 ms at 5,000 vectors, 1.8 ms at 20,000 and 7.3 ms at 40,000 (about 0.06 ms per 1,000
   * on a quiet machine; a scalar loop is 3-8x slower), while HNSW needed 400 candidates for recall@10 0.99 at 20,000
   * (7.3 ms) and did not reach it at 40,000 even with 800 (0.986, 23 ms). So the scan is the cheaper of the two up to
   * at least 40,000, and it never misses; 50,000 keeps a scan near 3 ms on a quiet machine and the memory of one
   * such scope at 4 bytes per dimension (77 MB at 384 dimensions). Re-measure with the command above.
   */
  public static final int EXACT_LIMIT = 50_000;
  /**
   * See {@code hnswBeam}: Lucene's 100. HNSW holds only owners past {@link #EXACT_LIMIT} for whose byte codes the
   * budget had no room ({@link StoredVectorScan#placement}), or all of them with {@code graphLarge}; it serves their
   * hybrid searches' vector half, and their vector searches past 1,000,000 vectors or the codes' budget ({@link
   * StoredVectorScan#scans}). Building its graph is most of the cost of an add to such an owner. A beam of 50 wrote
   * 100,000 near-duplicate vectors in 40 s instead of 71 ({@code scripts/bench.sh scan --sizes 100000 --beam B}) and
   * took adds to one scope from 60,000 to 110,000 from 588-675 to 939-1,002 a second, but its graphs were worse and
   * less even: a hybrid search's top 10 at 100,000 memories agreed with an exact vector half 95.6-99.2 % of the time
   * (two builds) against 99.7 % (two builds) at 100 (scripts/bench.sh hybrid; performance notes). {@code
   * VECTOR_HNSW_BEAM} makes that trade for a deployment that wants it.
   */
  public static final int HNSW_BEAM = 100;
  /** The widest beam Lucene's HNSW format takes. */
  public static final int MAX_HNSW_BEAM = Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH;
  /**
   * See {@code oversample}: on the same data HNSW's recall@10 at 40,000 vectors was 0.874 with 100 candidates, 0.936
   * with 200, 0.972 with 400 and 0.986 with 800; beyond the exact limit recall is bought with candidates, up to
   * {@code LuceneSearch.MAX_OVERSAMPLED} (1,000 for a top 10).
   */
  public static final int OVERSAMPLE = 100;

  public static final LuceneTuning DEFAULTS = new LuceneTuning(64, 16, HNSW_BEAM, 1, 100, 50, 0.7, 0.3, 2, 1.2f, 0.4f,
      TextFeedback.Settings.DEFAULTS, QueryHints.Settings.DEFAULTS, 2, 30_000, EXACT_LIMIT, OVERSAMPLE, false);

  public LuceneTuning withExactSearch(int limit, int factor) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs, limit, factor,
        graphLarge);
  }

  /** Every owner past the exact limit in the HNSW field (see {@code graphLarge}). */
  public LuceneTuning withLargeOwnersGraphed(boolean graphed) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs, exactLimit,
        oversample, graphed);
  }

  public LuceneTuning withRamBufferMb(double mb) {
    return new LuceneTuning(mb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight, contextWeight,
        contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs, exactLimit, oversample,
        graphLarge);
  }

  public LuceneTuning withHnsw(int m, int beam, int workers) {
    return new LuceneTuning(ramBufferMb, m, beam, workers, vectorCandidates, hybridDepth, textWeight, contextWeight,
        contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs, exactLimit, oversample,
        graphLarge);
  }

  public LuceneTuning withCommitIntervalMs(long ms) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, ms, exactLimit, oversample,
        graphLarge);
  }

  public LuceneTuning withVectorCandidates(int candidates) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, candidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs, exactLimit,
        oversample, graphLarge);
  }

  public LuceneTuning withFusion(int depth, double weightOfText) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, depth, weightOfText,
        contextWeight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs, exactLimit,
        oversample, graphLarge);
  }

  public LuceneTuning withContextWeight(double weight) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        weight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs, exactLimit, oversample,
        graphLarge);
  }

  public LuceneTuning withBm25(float k1, float b) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, k1, b, feedback, hints, workerThreads, commitIntervalMs, exactLimit, oversample,
        graphLarge);
  }

  public LuceneTuning withFeedback(TextFeedback.Settings settings) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, settings, hints, workerThreads, commitIntervalMs, exactLimit,
        oversample, graphLarge);
  }

  public LuceneTuning withContextReach(int reach) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, reach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs, exactLimit, oversample,
        graphLarge);
  }

  public LuceneTuning withHints(QueryHints.Settings settings) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, feedback, settings, workerThreads, commitIntervalMs, exactLimit,
        oversample, graphLarge);
  }
}
