package dev.engram.index;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Lucene's default codec with our HNSW parameters and a vector dimension limit of 4096 instead of 1024 (OpenAI
 * embeddings have 1536 or 3072 dimensions). Files are written in the standard {@code Lucene99HnswVectorsFormat}
 * under its own name, so any Lucene 9.12 reader (including a plain one) opens the index.
 */
final class VectorCodec {
  static final int MAX_DIMENSIONS = 4096;

  private VectorCodec() {}

  static Codec create(LuceneTuning tuning, ExecutorService mergeExecutor) {
    var hnsw = tuning.mergeWorkers() > 1
        ? new Lucene99HnswVectorsFormat(tuning.hnswM(), tuning.hnswBeam(), tuning.mergeWorkers(), mergeExecutor)
        : new Lucene99HnswVectorsFormat(tuning.hnswM(), tuning.hnswBeam());
    var wide = new WideFormat(hnsw);
    return new Lucene912Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return wide;
      }
    };
  }

  /** Delegates everything to Lucene's HNSW format and only lifts the dimension limit checked at indexing time. */
  private static final class WideFormat extends KnnVectorsFormat {
    private final KnnVectorsFormat delegate;

    WideFormat(KnnVectorsFormat delegate) {
      super(delegate.getName());
      this.delegate = delegate;
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
      return delegate.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
      return delegate.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
      return MAX_DIMENSIONS;
    }
  }
}
