package dev.engram.index;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.search.DocIdSetIterator;

/**
 * A copy in memory of the vectors of one segment's HNSW field ({@link LuceneDocs#VECTOR}), each component in one
 * signed byte, so a vector takes a quarter of its floats' memory and a scan a quarter of their memory traffic. What
 * is coded is the vector's difference from the segment's mean, with a scale per vector: {@code v[i] ~ mean[i] +
 * scale * code[i]}, {@code scale = max |v[i] - mean[i]| / 127}. Near-duplicates, whose scores differ in the fourth
 * decimal, differ from the mean by little, so their steps are small: coding the vectors themselves erred by more
 * than those differences. {@link StoredVectorScan} ranks by these approximate scores to pick candidates, then scores
 * the candidates again from the stored floats. Immutable once read, like the segment.
 */
final class QuantizedVectors {
  final int dim;
  private final float[] mean;
  private final byte[] codes;
  private final float[] scales;
  /** Row of each document of the segment in {@link #codes}, -1 where it has no vector in the field. */
  private final int[] rowOfDoc;

  private QuantizedVectors(int dim, int rows, int maxDoc) {
    this.dim = dim;
    mean = new float[dim];
    codes = new byte[Math.multiplyExact(rows, dim)];
    scales = new float[rows];
    rowOfDoc = new int[maxDoc];
    Arrays.fill(rowOfDoc, -1);
  }

  /** The memory a copy of {@code rows} vectors of a segment of {@code maxDoc} documents takes. */
  static long bytes(int rows, int dim, int maxDoc) {
    return (long) rows * dim + 4L * rows + 4L * maxDoc + 4L * dim + 64;
  }

  long bytes() {
    return bytes(scales.length, dim, rowOfDoc.length);
  }

  /**
   * Reads and codes every vector of the segment's HNSW field, deleted documents' included (two passes: the mean,
   * then the codes); null if it has none.
   */
  static QuantizedVectors read(LeafReader reader) throws IOException {
    FloatVectorValues values = reader.getFloatVectorValues(LuceneDocs.VECTOR);
    if (values == null || values.size() == 0) {
      return null;
    }
    var q = new QuantizedVectors(values.dimension(), values.size(), reader.maxDoc());
    double[] sum = new double[q.dim];
    for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
      float[] v = values.vectorValue();
      for (int i = 0; i < v.length; i++) {
        sum[i] += v[i];
      }
    }
    for (int i = 0; i < q.dim; i++) {
      q.mean[i] = (float) (sum[i] / values.size());
    }
    values = reader.getFloatVectorValues(LuceneDocs.VECTOR);
    int row = 0;
    for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
      q.rowOfDoc[doc] = row;
      q.scales[row] = encode(values.vectorValue(), q.mean, q.codes, row * q.dim);
      row++;
    }
    return q;
  }

  /** Writes the codes of {@code v - mean} at {@code offset}; returns their scale. */
  static float encode(float[] v, float[] mean, byte[] codes, int offset) {
    float max = 0;
    for (int i = 0; i < v.length; i++) {
      max = Math.max(max, Math.abs(v[i] - mean[i]));
    }
    if (max == 0) {
      return 0; // the codes are already 0
    }
    float scale = max / 127;
    for (int i = 0; i < v.length; i++) {
      codes[offset + i] = (byte) Math.round((v[i] - mean[i]) / scale);
    }
    return scale;
  }

  /** Whether the document has a vector here. */
  boolean has(int doc) {
    return rowOfDoc[doc] >= 0;
  }

  /** The approximate dot products of one query with this segment's vectors. */
  Scorer scorer(DotProduct kernel, float[] query) {
    if (query.length != dim) {
      throw new IllegalArgumentException("vector field has " + dim + " dimensions, the query " + query.length);
    }
    float withMean = kernel.dot(query, mean, 0);
    return doc -> {
      int row = rowOfDoc[doc];
      return withMean + scales[row] * kernel.dot(query, codes, row * dim);
    };
  }

  interface Scorer {
    /** The approximate dot product of the query with the document's vector (which {@link #has} it). */
    float dot(int doc);
  }
}
