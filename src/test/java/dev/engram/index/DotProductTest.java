package dev.engram.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Both kernels against a plain sum in double, at every width up to a few SIMD registers and at 384, at an offset. */
class DotProductTest {
  private final Random random = new Random(5);

  @Test
  @DisplayName("the SIMD kernel is the one the tests and servers run (the JVM has the vector module)")
  void simdIsLoaded() {
    assertTrue(DotProduct.FASTEST.name().startsWith("simd-"), DotProduct.FASTEST.name());
  }

  @Test
  @DisplayName("float and byte rows: the dot product at any length, tails included")
  void bothKernelsSumEveryComponent() {
    for (int dim : new int[] {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 47, 64, 65, 70, 384}) {
      float[] q = new float[dim];
      float[] floats = new float[dim + 5];
      byte[] bytes = new byte[dim + 5];
      for (int i = 0; i < dim; i++) {
        q[i] = (float) random.nextGaussian();
      }
      for (int i = 0; i < floats.length; i++) {
        floats[i] = (float) random.nextGaussian();
        bytes[i] = (byte) (random.nextInt(256) - 128);
      }
      double floatSum = 0;
      double byteSum = 0;
      for (int i = 0; i < dim; i++) {
        floatSum += (double) q[i] * floats[5 + i];
        byteSum += (double) q[i] * bytes[5 + i];
      }
      for (DotProduct kernel : new DotProduct[] {DotProduct.SCALAR, DotProduct.FASTEST}) {
        assertEquals(floatSum, kernel.dot(q, floats, 5), 1e-4 * dim, kernel.name() + " floats, " + dim);
        assertEquals(byteSum, kernel.dot(q, bytes, 5), 1e-2 * dim, kernel.name() + " bytes, " + dim);
      }
    }
  }
}
