package dev.engram.index;

/**
 * The dot product of a query with one row of a contiguous array of vectors, the inner loop of an exact search.
 * {@link #JAVA} uses the JDK Vector API (SIMD) when the JVM was started with {@code --add-modules
 * jdk.incubator.vector} (scripts/run.sh, the tests and the benchmarks do), else a scalar loop: on a 2-vCPU Zen 4 VM
 * the SIMD scan of 384-dim vectors was 4.6-8x faster (scripts/bench.sh scan prints both). {@link #FASTEST} adds the
 * native kernel for scans of byte codes where it runs ({@link NativeDotProduct}).
 */
abstract class DotProduct {
  static final DotProduct SCALAR = new Scalar();
  static final DotProduct JAVA = fastest();
  static final DotProduct FASTEST = NativeDotProduct.over(JAVA);

  /** {@code query . data[offset .. offset + query.length)}. */
  abstract float dot(float[] query, float[] data, int offset);

  /** The same over signed bytes, each taken as its integer value ({@link QuantizedVectors}' codes). */
  abstract float dot(float[] query, byte[] data, int offset);

  /**
   * The approximate scores of rows {@code [from, to)} of byte codes ({@link QuantizedVectors}): {@code out[r - from] =
   * base + scales[r] * (query . codes[r * dim .. (r + 1) * dim))}, {@code dim = query.length}. A scan, which a kernel
   * may run as one call.
   */
  void scores(float[] query, byte[] codes, float[] scales, float base, int from, int to, float[] out) {
    int dim = query.length;
    for (int r = from; r < to; r++) {
      out[r - from] = base + scales[r] * dot(query, codes, r * dim);
    }
  }

  /** The same for the rows {@code rows[0 .. count)}, in that order: {@code out[i]} is row {@code rows[i]}'s. */
  void scoresAt(float[] query, byte[] codes, float[] scales, float base, int[] rows, int count, float[] out) {
    int dim = query.length;
    for (int i = 0; i < count; i++) {
      out[i] = base + scales[rows[i]] * dot(query, codes, rows[i] * dim);
    }
  }

  /**
   * Whether {@link #nibbleScores} is worth running before {@link #scores} (a kernel that reads four-bit codes faster
   * than byte codes); this one's is a plain loop, for tests and for a copy read by another kernel.
   */
  boolean scansNibbles() {
    return false;
  }

  /**
   * The rougher scores of rows {@code [from, to)} of four-bit codes ({@link NibbleCodes}): {@code out[r - from] =
   * base + scales[r] * (query . values of row r)}.
   */
  void nibbleScores(float[] query, byte[] nibbles, float[] scales, float base, int from, int to, float[] out) {
    int bytes = NibbleCodes.bytesPerRow(query.length);
    for (int r = from; r < to; r++) {
      out[r - from] = base + scales[r] * NibbleCodes.dot(query, nibbles, r * bytes);
    }
  }

  abstract String name();

  private static DotProduct fastest() {
    // the SIMD class names the incubator module's types: load it only when the module is in the boot layer
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return SCALAR;
    }
    try {
      return (DotProduct) Class.forName("dev.engram.index.SimdDotProduct").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return SCALAR;
    }
  }

  /** Four independent sums, so that the additions do not wait on each other. */
  private static final class Scalar extends DotProduct {
    @Override
    float dot(float[] q, float[] data, int offset) {
      int n = q.length;
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      int i = 0;
      for (; i + 3 < n; i += 4) {
        s0 += q[i] * data[offset + i];
        s1 += q[i + 1] * data[offset + i + 1];
        s2 += q[i + 2] * data[offset + i + 2];
        s3 += q[i + 3] * data[offset + i + 3];
      }
      for (; i < n; i++) {
        s0 += q[i] * data[offset + i];
      }
      return (s0 + s1) + (s2 + s3);
    }

    @Override
    float dot(float[] q, byte[] data, int offset) {
      int n = q.length;
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      int i = 0;
      for (; i + 3 < n; i += 4) {
        s0 += q[i] * data[offset + i];
        s1 += q[i + 1] * data[offset + i + 1];
        s2 += q[i + 2] * data[offset + i + 2];
        s3 += q[i + 3] * data[offset + i + 3];
      }
      for (; i < n; i++) {
        s0 += q[i] * data[offset + i];
      }
      return (s0 + s1) + (s2 + s3);
    }

    @Override
    String name() {
      return "scalar";
    }
  }
}
