package dev.engram.index;

import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsWriter;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.TaskExecutor;

/**
 * The HNSW field's format ({@link LuceneDocs#VECTOR}): Lucene's {@code Lucene99HnswVectorsFormat} files, written and
 * read with the flat vectors scored by {@link SimdVectorScorer}, and the dimension limit lifted (checked at indexing
 * time only). It is registered under its own name because Lucene finds a segment's format by that name when it opens
 * the segment: under Lucene's name, every search opened Lucene's own format, whose dot product on Java 17 is a scalar
 * loop (JFR of a hybrid search at 100,000 memories: 40 % of the search's samples in HNSW graph walks, most of those in
 * that loop). Segments written under Lucene's name (before this format) are still read by Lucene's format.
 */
public final class GraphVectorsFormat extends KnnVectorsFormat {
  static final String NAME = "EngramHnswVectors";

  private final FlatVectorsFormat flat = new Lucene99FlatVectorsFormat(SimdVectorScorer.INSTANCE);
  private final int maxConn;
  private final int beamWidth;
  private final int mergeWorkers;
  private final TaskExecutor mergeExecutor;

  /** For Lucene's service loader, which reads segments: the graph parameters matter to writing only. */
  public GraphVectorsFormat() {
    this(LuceneTuning.DEFAULTS.hnswM(), LuceneTuning.DEFAULTS.hnswBeam(), 1, null);
  }

  GraphVectorsFormat(int maxConn, int beamWidth, int mergeWorkers, TaskExecutor mergeExecutor) {
    super(NAME);
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
    return VectorCodec.MAX_DIMENSIONS;
  }
}
