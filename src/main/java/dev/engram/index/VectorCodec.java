package dev.engram.index;

import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.search.TaskExecutor;

/**
 * Lucene's default codec with our HNSW parameters for the vectors of owners searched by HNSW ({@link
 * GraphVectorsFormat}), flat files alone ({@link ExactVectorsFormat}) for those of owners searched by a scan, a
 * vector dimension limit of 4096 instead of 1024 (OpenAI embeddings have 1536 or 3072 dimensions) and vectors scored
 * with our SIMD dot product ({@link SimdVectorScorer}) when graphs are built and searched. Both formats write Lucene's
 * own files under names of their own, registered with Lucene's service loader.
 */
final class VectorCodec {
  static final int MAX_DIMENSIONS = 4096;

  private VectorCodec() {}

  static Codec create(LuceneTuning tuning, ExecutorService mergeExecutor) {
    boolean concurrentMerges = tuning.mergeWorkers() > 1 && mergeExecutor != null;
    var wide = new GraphVectorsFormat(tuning.hnswM(), tuning.hnswBeam(), concurrentMerges ? tuning.mergeWorkers() : 1,
        concurrentMerges ? new TaskExecutor(mergeExecutor) : null);
    var exact = new ExactVectorsFormat();
    return new Lucene912Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return field.equals(LuceneDocs.VECTOR) ? wide : exact;
      }
    };
  }
}
