package dev.engram.index;

import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;

/**
 * Vectors stored without an HNSW graph: Lucene's flat vector files alone. It holds the vectors of owners that are
 * searched by a scan, in memory ({@link ScopeVectors}) or of the segments' byte codes ({@link StoredVectorScan}),
 * which never read a graph, so building one at every add and every merge was wasted work (the largest single cost of
 * an add). Registered under its own name (Lucene's
 * flat format is not), so that readers find it by name.
 */
public final class ExactVectorsFormat extends KnnVectorsFormat {
  static final String NAME = "EngramExactVectors";
  private final FlatVectorsFormat flat = new Lucene99FlatVectorsFormat(SimdVectorScorer.INSTANCE);

  /** For Lucene's service loader. */
  public ExactVectorsFormat() {
    super(NAME);
  }

  @Override
  public KnnVectorsWriter fieldsWriter(org.apache.lucene.index.SegmentWriteState state) throws IOException {
    return flat.fieldsWriter(state);
  }

  @Override
  public KnnVectorsReader fieldsReader(org.apache.lucene.index.SegmentReadState state) throws IOException {
    return flat.fieldsReader(state);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return VectorCodec.MAX_DIMENSIONS;
  }
}
