package dev.engram.index;

import dev.engram.index.ScopeVectors.Key;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/**
 * A copy in memory of the vectors of one segment's large owners (its fields {@link LuceneDocs#LARGE_FIELDS}), each
 * component in one signed byte, so a vector takes a quarter of its floats' memory and a scan a quarter of their memory
 * traffic. What is coded is the vector's difference from the segment's mean, with a scale per vector: {@code v[i] ~
 * mean[i] + scale * code[i]}, {@code scale = max |v[i] - mean[i]| / 127}. Near-duplicates, whose scores differ in the
 * fourth decimal, differ from the mean by little, so their steps are small: coding the vectors themselves erred by more
 * than those differences. The rows are grouped by owner, so that a scan of an owner reads one stretch of memory and no
 * postings. {@link StoredVectorScan} ranks by these approximate scores to pick candidates, then scores the candidates
 * again from the stored floats. Where the fastest kernel reads four-bit codes ({@link #FOUR_BIT}), the copy holds those
 * too and a scan of many rows reads them first: half the bytes, so about half the time of a scan that does not fit the
 * CPU's cache; its best few hundred rows are then scored by their byte codes. Immutable once read, like the segment.
 */
final class QuantizedVectors {
  /**
   * Whether copies also hold {@link NibbleCodes} (half a byte per component more), read first when a scan covers many
   * rows: where the fastest kernel reads them faster than the byte codes ({@link DotProduct#scansNibbles}).
   */
  static final boolean FOUR_BIT = DotProduct.FASTEST.scansNibbles();
  /**
   * A first pass over four-bit codes keeps this many times the candidates the byte codes are to pick ({@link
   * TopHits#capacity}): a true hit is lost only if that many rows of its stretch, or of the stretches the same search
   * has already passed over ({@link PoolFloor}), outrank it by codes eighteen times coarser.
   */
  static final int FIRST_PASS_POOL = 3;
  /** A stretch of rows gets a four-bit first pass when it holds more than this many times the pass's pool. */
  static final int FIRST_PASS_FROM = 4;

  /** The floor that one search's scans share, for {@code candidates} to be picked by the byte codes. */
  static PoolFloor floor(int candidates) {
    return new PoolFloor(FIRST_PASS_POOL * candidates);
  }

  final int dim;
  private final float[] mean;
  private final byte[] codes;
  private final float[] scales;
  /**
   * The four-bit codes and their scales, and each row's exact component along {@link #meanDirection}; null when {@link
   * #FOUR_BIT} is not. A first pass scores {@code base + (query along the mean) * alongMean + (the rest of the query) .
   * codes}: on near-duplicates the query lies mostly along the mean, and the codes' error projected on that part
   * outweighed the rows' differences (twice their spread, in the tests' set), so that part is taken exactly.
   */
  private final byte[] nibbles;
  private final float[] nibbleScales;
  private final float[] alongMean;
  /** The mean made a unit vector (zero if the mean is). */
  private final float[] meanDirection;
  private final int[] docOfRow;
  /** The rows {@code [start, end)} of each owner; within one, field by field, each in document order. */
  private final Map<Key, int[]> rowsOf = new HashMap<>();

  private QuantizedVectors(int dim, int rows) {
    this.dim = dim;
    mean = new float[dim];
    codes = new byte[Math.multiplyExact(rows, dim)];
    scales = new float[rows];
    nibbles = FOUR_BIT ? new byte[Math.multiplyExact(rows, NibbleCodes.bytesPerRow(dim))] : null;
    nibbleScales = FOUR_BIT ? new float[rows] : null;
    alongMean = FOUR_BIT ? new float[rows] : null;
    meanDirection = new float[dim];
    docOfRow = new int[rows];
  }

  /** About the memory a copy of {@code rows} vectors takes. */
  static long bytes(long rows, int dim) {
    long nibbles = FOUR_BIT ? rows * (NibbleCodes.bytesPerRow(dim) + 8L) : 0;
    return rows * dim + 8L * rows + 8L * dim + 64 + nibbles;
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
    double norm = 0;
    for (int i = 0; i < q.dim; i++) {
      q.mean[i] = (float) (sum[i] / rows);
      norm += (double) q.mean[i] * q.mean[i];
    }
    for (int i = 0; norm > 0 && i < q.dim; i++) {
      q.meanDirection[i] = (float) (q.mean[i] / Math.sqrt(norm));
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
          float[] v = values.vectorValue();
          q.scales[row] = encode(v, q.mean, q.codes, row * q.dim);
          if (q.nibbles != null) {
            q.nibbleScales[row] = NibbleCodes.encode(v, q.mean, q.nibbles, row * NibbleCodes.bytesPerRow(q.dim));
            double along = 0;
            for (int i = 0; i < q.dim; i++) {
              along += (double) q.meanDirection[i] * (v[i] - q.mean[i]);
            }
            q.alongMean[row] = (float) along;
          }
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
   * Offers the approximate dot products of {@code query} with the rows {@code [from, to)} whose document is live to
   * {@code best}, with their top-level doc ids ({@code docBase} + the segment's): those of the rows that could enter it
   * (the best of the stretch by {@link ScorePool}: a heap offered every row cost more than the scores). Many rows get a
   * first pass over their four-bit codes where the copy has them: only its best {@code floor}'s pool ({@link #floor}
   * of {@code best}'s capacity) that also reach {@code floor}, the pool of the search's stretches so far, are scored by
   * their byte codes, and they are offered to the floor in turn.
   */
  void scan(int from, int to, Bits live, float[] query, DotProduct kernel, int docBase, TopHits<Integer> best,
      PoolFloor floor) {
    if (query.length != dim) {
      throw new IllegalArgumentException("vector field has " + dim + " dimensions, the query " + query.length);
    }
    float withMean = kernel.dot(query, mean, 0);
    float[] scored = SharedScan.scores(to - from);
    IntPredicate isLive = row -> live == null || live.get(docOfRow[row]);
    int pool = floor.pool();
    if (nibbles != null && kernel.scansNibbles() && to - from > (long) FIRST_PASS_FROM * pool) {
      float along = kernel.dot(query, meanDirection, 0);
      float[] rest = new float[dim];
      for (int i = 0; i < dim; i++) {
        rest[i] = query[i] - along * meanDirection[i];
      }
      kernel.nibbleScores(rest, nibbles, nibbleScales, withMean, from, to, scored);
      for (int row = from; row < to; row++) {
        scored[row - from] += along * alongMean[row];
      }
      int[] rows = ScorePool.best(scored, to - from, pool, from, isLive, floor.value());
      floor.offer(scored, rows, rows.length, from); // before the byte codes' scores take their place
      kernel.scoresAt(query, codes, scales, withMean, rows, rows.length, scored);
      for (int i = 0; i < rows.length; i++) {
        if (scored[i] > best.floor()) {
          best.offer(scored[i], docBase + docOfRow[rows[i]]);
        }
      }
      return;
    }
    kernel.scores(query, codes, scales, withMean, from, to, scored);
    for (int row : ScorePool.best(scored, to - from, best.capacity(), from, isLive, best.floor())) {
      if (scored[row - from] > best.floor()) {
        best.offer(scored[row - from], docBase + docOfRow[row]);
      }
    }
  }
}
