package dev.engram.index;

/**
 * The knobs of {@link LuceneIndex}. {@link #DEFAULTS} are what the server uses; the benchmark varies them.
 *
 * @param ramBufferMb indexing buffer before a segment is flushed (bigger: fewer, larger HNSW graphs)
 * @param hnswM HNSW links per node (Lucene's default 16)
 * @param hnswBeam HNSW beam width while building (Lucene's default 100)
 * @param mergeWorkers threads that build one merged HNSW graph (1 = the merge thread alone)
 * @param vectorCandidates nearest neighbours gathered per segment before the top {@code limit} are kept; the
 *     over-fetch that buys recall (at least {@code limit} is always used)
 * @param hybridDepth how many hits each ranking (vector, BM25) contributes to a hybrid fusion (at least {@code limit})
 * @param rrfK the constant of reciprocal rank fusion, {@code 1 / (rrfK + rank)}
 * @param bm25K1 BM25 term-frequency saturation
 * @param bm25B BM25 length normalisation (0 none, 1 full); low values suit short conversational passages
 * @param workerThreads threads of the worker pool that runs all Lucene work
 * @param commitIntervalMs how often pending upserts are committed in the background (0 disables it)
 */
public record LuceneTuning(double ramBufferMb, int hnswM, int hnswBeam, int mergeWorkers, int vectorCandidates,
    int hybridDepth, int rrfK, float bm25K1, float bm25B, int workerThreads, long commitIntervalMs) {

  public static final LuceneTuning DEFAULTS =
      new LuceneTuning(64, 16, 100, 1, 100, 50, 60, 1.2f, 0.4f, 2, 30_000);

  public LuceneTuning withRamBufferMb(double mb) {
    return new LuceneTuning(mb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, rrfK, bm25K1, bm25B,
        workerThreads, commitIntervalMs);
  }

  public LuceneTuning withHnsw(int m, int beam, int workers) {
    return new LuceneTuning(ramBufferMb, m, beam, workers, vectorCandidates, hybridDepth, rrfK, bm25K1, bm25B,
        workerThreads, commitIntervalMs);
  }

  public LuceneTuning withCommitIntervalMs(long ms) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, vectorCandidates, hybridDepth, rrfK, bm25K1,
        bm25B, workerThreads, ms);
  }

  public LuceneTuning withVectorCandidates(int candidates) {
    return new LuceneTuning(ramBufferMb, hnswM, hnswBeam, mergeWorkers, candidates, hybridDepth, rrfK, bm25K1, bm25B,
        workerThreads, commitIntervalMs);
  }
}
