package dev.engram.index;

/**
 * The knobs of {@link LuceneIndex}. {@link #DEFAULTS} are what the server uses; the benchmarks vary them.
 *
 * @param ramBufferMb indexing buffer before a segment is flushed (bigger: fewer, larger HNSW graphs)
 * @param hnswM HNSW links per node (Lucene's default 16)
 * @param hnswBeam HNSW beam width while building (Lucene's default 100)
 * @param mergeWorkers threads that build one merged HNSW graph (1 = the merge thread alone)
 * @param vectorCandidates nearest neighbours gathered per segment before the top {@code limit} are kept; the
 *     over-fetch that buys recall (at least {@code limit} is always used)
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
 */
public record LuceneTuning(double ramBufferMb, int hnswM, int hnswBeam, int mergeWorkers, int vectorCandidates,
    int hybridDepth, double textWeight, double contextWeight, int contextReach, float bm25K1, float bm25B,
    TextFeedback.Settings feedback, QueryHints.Settings hints, int workerThreads, long commitIntervalMs) {

  public static final LuceneTuning DEFAULTS = new LuceneTuning(64, 16, 100, 1, 100, 50, 0.7, 0.3, 2, 1.2f, 0.4f,
      TextFeedback.Settings.DEFAULTS, QueryHints.Settings.DEFAULTS, 2, 30_000);

  public LuceneTuning withRamBufferMb(double mb) {
    return new LuceneTuning(mb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight, contextWeight,
        contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs);
  }

  public LuceneTuning withHnsw(int m, int beam, int workers) {
    return new LuceneTuning(ramBufferMb, m, beam, workers, vectorCandidates, hybridDepth, textWeight, contextWeight,
        contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs);
  }

  public LuceneTuning withCommitIntervalMs(long ms) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, ms);
  }

  public LuceneTuning withVectorCandidates(int candidates) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, candidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs);
  }

  public LuceneTuning withFusion(int depth, double weightOfText) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, depth, weightOfText,
        contextWeight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs);
  }

  public LuceneTuning withContextWeight(double weight) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        weight, contextReach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs);
  }

  public LuceneTuning withContextReach(int reach) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, reach, bm25K1, bm25B, feedback, hints, workerThreads, commitIntervalMs);
  }

  public LuceneTuning withBm25(float k1, float b) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, k1, b, feedback, hints, workerThreads, commitIntervalMs);
  }

  public LuceneTuning withFeedback(TextFeedback.Settings settings) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, settings, hints, workerThreads, commitIntervalMs);
  }

  public LuceneTuning withHints(QueryHints.Settings settings) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, textWeight,
        contextWeight, contextReach, bm25K1, bm25B, feedback, settings, workerThreads, commitIntervalMs);
  }
}
