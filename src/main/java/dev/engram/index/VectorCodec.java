package dev.engram.index;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsWriter;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Lucene's default codec with our HNSW parameters for the vectors of large owners, flat files alone ({@link
 * ExactVectorsFormat}) for those of owners searched by an exact scan, a vector dimension limit of 4096 instead of 1024 (OpenAI
 * embeddings have 1536 or 3072 dimensions) and the graph built with our SIMD dot product ({@link SimdVectorScorer}).
 * Files are written in the standard {@code Lucene99HnswVectorsFormat} under its own name, so any Lucene 9.12 reader
 * (including a plain one) opens the index.
 */
final class VectorCodec {
  static final int MAX_DIMENSIONS = 4096;

  private VectorCodec() {}

  static Codec create(LuceneTuning tuning, ExecutorService mergeExecutor) {
    boolean concurrentMerges = tuning.mergeWorkers() > 1 && mergeExecutor != null;
    var wide = new HnswFormat(tuning.hnswM(), tuning.hnswBeam(), concurrentMerges ? tuning.mergeWorkers() : 1,
        concurrentMerges ? new TaskExecutor(mergeExecutor) : null);
    var exact = new ExactVectorsFormat();
    return new Lucene912Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return field.equals(LuceneDocs.EXACT_VECTOR) ? exact : wide;
      }
    };
  }

  /**
   * {@code Lucene99HnswVectorsFormat} as Lucene builds it, with the flat vectors scored by {@link SimdVectorScorer}
   * and the dimension limit lifted (checked at indexing time only). Same name, same files.
   */
  private static final class HnswFormat extends KnnVectorsFormat {
    private final FlatVectorsFormat flat = new Lucene99FlatVectorsFormat(SimdVectorScorer.INSTANCE);
    private final int maxConn;
    private final int beamWidth;
    private final int mergeWorkers;
    private final TaskExecutor mergeExecutor;

    HnswFormat(int maxConn, int beamWidth, int mergeWorkers, TaskExecutor mergeExecutor) {
      super("Lucene99HnswVectorsFormat");
      this.maxConn = maxConn;
      this.beamWidth = beamWidth;
      this.mergeWorkers = mergeWorkers;
      this.mergeExecutor = mergeExecutor;
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
      return new Lucene99HnswVectorsWriter(state, maxConn, beamWidth, flat.fieldsWriter(state), mergeWorkers,
          mergeExecutor);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
      return new Lucene99HnswVectorsReader(state, flat.fieldsReader(state));
    }

    @Override
    public int getMaxDimensions(String fieldName) {
      return MAX_DIMENSIONS;
    }
  }
}
