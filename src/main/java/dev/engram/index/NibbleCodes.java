package dev.engram.index;

/**
 * Four-bit codes of vectors, two components to a byte: the first pass of a scan of many rows ({@link
 * QuantizedVectors}), which reads half the bytes of the byte codes. Like those, a row codes a vector's difference from
 * the segment's mean with a scale of its own: {@code v[i] ~ mean[i] + scale * (u[i] - 8)}, {@code u[i]} in 1-15,
 * {@code scale = max |v[i] - mean[i]| / 7}. Too coarse to rank near-duplicates on their own, fine enough to pick the
 * few hundred rows the byte codes then score.
 *
 * <p>Layout (the native kernel's, {@code src/main/c/engram_scan.c}): a row is {@link #bytesPerRow} bytes, blocks of
 * 64 bytes for 128 dimensions; byte {@code k} of block {@code b} holds dimension {@code 128 b + k} in its low four bits
 * and {@code 128 b + 64 + k} in its high four. The dimensions past the vector's (padding) hold the code of 0.
 */
final class NibbleCodes {
  /** The code of a zero difference. */
  static final int ZERO = 8;
  /** The largest difference from zero a code holds. */
  static final int STEPS = 7;

  private NibbleCodes() {}

  /** The bytes of one row of {@code dim} components: a whole number of 64-byte blocks. */
  static int bytesPerRow(int dim) {
    return Math.multiplyExact((dim + 127) / 128, 64);
  }

  /** Writes the codes of {@code v - mean} at {@code offset} ({@link #bytesPerRow} bytes); returns their scale. */
  static float encode(float[] v, float[] mean, byte[] nibbles, int offset) {
    float max = 0;
    for (int i = 0; i < v.length; i++) {
      max = Math.max(max, Math.abs(v[i] - mean[i]));
    }
    float scale = max / STEPS;
    int bytes = bytesPerRow(v.length);
    for (int k = 0; k < bytes; k++) {
      int low = ZERO;
      int high = ZERO;
      int i = dimensionOf(k, false);
      int j = dimensionOf(k, true);
      if (scale > 0 && i < v.length) {
        low += Math.round((v[i] - mean[i]) / scale);
      }
      if (scale > 0 && j < v.length) {
        high += Math.round((v[j] - mean[j]) / scale);
      }
      nibbles[offset + k] = (byte) (low | high << 4);
    }
    return scale;
  }

  /** The value (code - {@link #ZERO}) of component {@code i} of the row at {@code offset}. */
  static int value(byte[] nibbles, int offset, int i) {
    int k = offset + i / 128 * 64 + i % 64;
    int code = i % 128 < 64 ? nibbles[k] & 0x0F : (nibbles[k] >> 4) & 0x0F;
    return code - ZERO;
  }

  /** {@code query . values} of the row at {@code offset}: what a scan scales. */
  static float dot(float[] query, byte[] nibbles, int offset) {
    float sum = 0;
    for (int i = 0; i < query.length; i++) {
      sum += query[i] * value(nibbles, offset, i);
    }
    return sum;
  }

  /** The component byte {@code k} of a row holds in its high or low four bits. */
  private static int dimensionOf(int k, boolean high) {
    return k / 64 * 128 + (high ? 64 : 0) + k % 64;
  }
}
