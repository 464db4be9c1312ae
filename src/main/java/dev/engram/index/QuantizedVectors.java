package dev.engram.index;

import dev.engram.index.ScopeVectors.Key;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/**
 * A copy in memory of the vectors of one segment's large owners (its fields {@link LuceneDocs#LARGE_FIELDS}), each
 * component in one
 * signed byte, so a vector takes a quarter of its floats' memory and a scan a quarter of their memory traffic. What
 * is coded is the vector's difference from the segment's mean, with a scale per vector: {@code v[i] ~ mean[i] +
 * scale * code[i]}, {@code scale = max |v[i] - mean[i]| / 127}. Near-duplicates, whose scores differ in the fourth
 * decimal, differ from the mean by little, so their steps are small: coding the vectors themselves erred by more
 * than those differences. The rows are grouped by owner, so that a scan of an owner reads one stretch of memory and
 * no postings. {@link StoredVectorScan} ranks by these approximate scores to pick candidates, then scores the
 * candidates again from the stored floats. Immutable once read, like the segment.
 */
final class QuantizedVectors {
  final int dim;
  private final float[] mean;
  private final byte[] codes;
  private final float[] scales;
  private final int[] docOfRow;
  /** The rows {@code [start, end)} of each owner; within one, field by field, each in document order. */
  private final Map<Key, int[]> rowsOf = new HashMap<>();

  private QuantizedVectors(int dim, int rows) {
    this.dim = dim;
    mean = new float[dim];
    codes = new byte[Math.multiplyExact(rows, dim)];
    scales = new float[rows];
    docOfRow = new int[rows];
  }

  /** About the memory a copy of {@code rows} vectors takes. */
  static long bytes(long rows, int dim) {
    return (long) rows * dim + 8L * rows + 4L * dim + 64;
  }

  long bytes() {
    return bytes(scales.length, dim) + 64L * rowsOf.size();
  }

  /** About the memory the copy of the segment takes (its vectors in the fields that are copied; 0 for none). */
  static long bytes(LeafReader reader) throws IOException {
    long bytes = 0;
    for (String field : LuceneDocs.LARGE_FIELDS) {
      FloatVectorValues values = reader.getFloatVectorValues(field);
      bytes += values == null || values.size() == 0 ? 0 : bytes(values.size(), values.dimension());
    }
    return bytes;
  }

  /**
   * Reads and codes every vector of the segment's large owners' fields that has an owner, deleted documents' included
   * (two passes: the mean and the owners' sizes, then the codes; a document has its vector in one field only); null
   * if there is none.
   */
  static QuantizedVectors read(LeafReader reader) throws IOException {
    if (bytes(reader) == 0) {
      return null; // a segment of small owners only: no need to read its owners
    }
    Key[] keys = ScopeVectors.keysOf(reader);
    Map<Key, Integer> sizes = new HashMap<>();
    double[] sum = null;
    int rows = 0;
    for (String field : LuceneDocs.LARGE_FIELDS) {
      FloatVectorValues values = reader.getFloatVectorValues(field);
      if (values == null) {
        continue;
      }
      if (sum == null) {
        sum = new double[values.dimension()];
      } else if (sum.length != values.dimension()) {
        // a search maps this to a bad request, as it does a query of the wrong width
        throw new IllegalArgumentException("vector fields of " + sum.length + " and " + values.dimension()
            + " dimensions in one segment");
      }
      for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
        if (keys[doc] != null) {
          sizes.merge(keys[doc], 1, Integer::sum);
          rows++;
          float[] v = values.vectorValue();
          for (int i = 0; i < v.length; i++) {
            sum[i] += v[i];
          }
        }
      }
    }
    if (rows == 0) {
      return null;
    }
    var q = new QuantizedVectors(sum.length, rows);
    for (int i = 0; i < q.dim; i++) {
      q.mean[i] = (float) (sum[i] / rows);
    }
    int start = 0;
    for (var e : sizes.entrySet()) {
      q.rowsOf.put(e.getKey(), new int[] {start, start});
      start += e.getValue();
    }
    for (String field : LuceneDocs.LARGE_FIELDS) {
      FloatVectorValues values = reader.getFloatVectorValues(field);
      if (values == null) {
        continue;
      }
      for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
        if (keys[doc] != null) {
          int row = q.rowsOf.get(keys[doc])[1]++;
          q.docOfRow[row] = doc;
          q.scales[row] = encode(values.vectorValue(), q.mean, q.codes, row * q.dim);
        }
      }
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

  /** The rows {@code [start, end)} of the owner, null if it has none here. */
  int[] rows(Key owner) {
    return rowsOf.get(owner);
  }

  /**
   * Offers the approximate dot product of {@code query} with each of the rows {@code [from, to)} whose document is
   * live to {@code best}, with its top-level doc id ({@code docBase} + the segment's).
   */
  void scan(int from, int to, Bits live, float[] query, DotProduct kernel, int docBase, TopHits<Integer> best) {
    if (query.length != dim) {
      throw new IllegalArgumentException("vector field has " + dim + " dimensions, the query " + query.length);
    }
    float withMean = kernel.dot(query, mean, 0);
    float[] scored = new float[to - from];
    kernel.scores(query, codes, scales, withMean, from, to, scored);
    for (int row = from; row < to; row++) {
      float score = scored[row - from];
      int doc = docOfRow[row];
      if (score > best.floor() && (live == null || live.get(doc))) {
        best.offer(score, docBase + doc);
      }
    }
  }
}
