package dev.engram.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Both kernels against a plain sum in double, at every width up to a few SIMD registers and at 384, at an offset. */
class DotProductTest {
  private final Random random = new Random(5);

  @Test
  @DisplayName("the SIMD kernel is the one the tests and servers run (the JVM has the vector module)")
  void simdIsLoaded() {
    assertTrue(DotProduct.JAVA.name().startsWith("simd-"), DotProduct.JAVA.name());
    assertTrue(DotProduct.FASTEST.name().endsWith(DotProduct.JAVA.name()), DotProduct.FASTEST.name());
  }

  @Test
  @DisplayName("where the CPU has AVX-512 VNNI and gcc built the kernel, it is loaded and scans byte codes")
  void nativeKernelIsLoadedWhereTheCpuRunsIt() throws Exception {
    assumeTrue(cpuHasVnni(), "this CPU has no AVX-512 VNNI");
    assumeTrue(onPath("gcc"), "no gcc: scripts/build-native.sh built no kernel, by design");
    assertTrue(NativeDotProduct.available(), "the library " + NativeDotProduct.LIBRARY + " did not load");
    assertTrue(DotProduct.FASTEST.name().startsWith("native-"), DotProduct.FASTEST.name());
  }

  @Test
  @DisplayName("a scan of byte rows: every kernel's scores agree with a plain sum, at any width and offset")
  void scansOfByteRowsAgree() {
    for (int dim : new int[] {1, 3, 63, 64, 65, 100, 127, 128, 384, 1536}) {
      int rows = 37;
      float[] q = new float[dim];
      for (int i = 0; i < dim; i++) {
        q[i] = (float) random.nextGaussian() * 0.05f;
      }
      byte[] codes = new byte[(rows + 2) * dim];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = (byte) (random.nextInt(255) - 127); // the codes' range
      }
      float[] scales = new float[rows + 2];
      for (int r = 0; r < scales.length; r++) {
        scales[r] = random.nextFloat() / 127;
      }
      float base = (float) random.nextGaussian();
      for (DotProduct kernel : new DotProduct[] {DotProduct.SCALAR, DotProduct.JAVA, DotProduct.FASTEST}) {
        float[] out = new float[rows];
        kernel.scores(q, codes, scales, base, 2, 2 + rows, out);
        for (int r = 0; r < rows; r++) {
          double sum = 0;
          double size = 0;
          for (int i = 0; i < dim; i++) {
            sum += (double) q[i] * codes[(2 + r) * dim + i];
            size += Math.abs((double) q[i] * codes[(2 + r) * dim + i]);
          }
          assertEquals(base + scales[2 + r] * sum, out[r], scales[2 + r] * (1e-4 * size + 1e-6) + 1e-6,
              kernel.name() + ", " + dim + " dims, row " + r);
        }
      }
    }
  }

  @Test
  @DisplayName("scores of chosen byte rows equal the scan's scores of the same rows, in the order asked")
  void scoresOfChosenRowsAgree() {
    int dim = 384;
    int rows = 50;
    float[] q = gaussian(dim, 0.05f);
    byte[] codes = new byte[rows * dim];
    random.nextBytes(codes);
    float[] scales = new float[rows];
    for (int r = 0; r < rows; r++) {
      scales[r] = random.nextFloat() / 127;
    }
    int[] chosen = {49, 0, 17, 17, 3};
    for (DotProduct kernel : new DotProduct[] {DotProduct.SCALAR, DotProduct.JAVA, DotProduct.FASTEST}) {
      float[] all = new float[rows];
      kernel.scores(q, codes, scales, 0.25f, 0, rows, all);
      float[] out = new float[chosen.length];
      kernel.scoresAt(q, codes, scales, 0.25f, chosen, chosen.length, out);
      for (int i = 0; i < chosen.length; i++) {
        assertEquals(all[chosen[i]], out[i], 1e-6, kernel.name() + ", row " + chosen[i]);
      }
      assertThrows(IndexOutOfBoundsException.class, () -> DotProduct.FASTEST.scoresAt(q, codes, scales, 0,
          new int[] {0, rows}, 2, new float[2]));
    }
  }

  @Test
  @DisplayName("a scan of four-bit rows: every kernel's scores agree with a plain sum of the codes' values")
  void scansOfFourBitRowsAgree() {
    for (int dim : new int[] {1, 63, 64, 65, 127, 128, 129, 384, 1536}) {
      int rows = 21;
      int bytes = NibbleCodes.bytesPerRow(dim);
      float[] q = gaussian(dim, 0.05f);
      byte[] nibbles = new byte[(rows + 2) * bytes];
      float[] scales = new float[rows + 2];
      float[] mean = new float[dim];
      for (int r = 0; r < rows + 2; r++) {
        scales[r] = NibbleCodes.encode(gaussian(dim, 1), mean, nibbles, r * bytes);
      }
      for (DotProduct kernel : new DotProduct[] {DotProduct.SCALAR, DotProduct.FASTEST}) {
        float[] out = new float[rows];
        kernel.nibbleScores(q, nibbles, scales, -0.5f, 2, 2 + rows, out);
        for (int r = 0; r < rows; r++) {
          double sum = 0;
          double rounding = 0; // the native kernel takes each query component to a byte: at most half a step off
          for (int i = 0; i < dim; i++) {
            int value = NibbleCodes.value(nibbles, (2 + r) * bytes, i);
            sum += (double) q[i] * value;
            rounding += Math.abs(value) * maxAbs(q) / 127 / 2;
          }
          assertEquals(-0.5 + scales[2 + r] * sum, out[r], scales[2 + r] * (rounding + 1e-4) + 1e-6,
              kernel.name() + ", " + dim + " dims, row " + r);
        }
      }
      assertThrows(IndexOutOfBoundsException.class,
          () -> DotProduct.FASTEST.nibbleScores(q, nibbles, scales, 0, 1, rows + 3, new float[rows + 2]));
    }
  }

  @Test
  @DisplayName("four-bit codes decode to within half a step of each component, the padding to zero")
  void fourBitCodesAreWithinHalfAStep() {
    for (int dim : new int[] {5, 128, 384, 200}) {
      float[] v = gaussian(dim, 1);
      float[] mean = gaussian(dim, 0.1f);
      int bytes = NibbleCodes.bytesPerRow(dim);
      byte[] nibbles = new byte[bytes + 7];
      float scale = NibbleCodes.encode(v, mean, nibbles, 7);
      for (int i = 0; i < dim; i++) {
        assertEquals(v[i], mean[i] + scale * NibbleCodes.value(nibbles, 7, i), scale / 2 + 1e-6f, dim + ": " + i);
      }
      for (int i = dim; i < bytes * 2; i++) {
        assertEquals(0, NibbleCodes.value(nibbles, 7, i), "padding " + i);
      }
    }
  }

  private static float maxAbs(float[] v) {
    float max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    return max;
  }

  private float[] gaussian(int dim, float size) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) random.nextGaussian() * size;
    }
    return v;
  }

  @Test
  @DisplayName("a scan of byte rows checks its bounds before any kernel runs")
  void scansCheckTheirBounds() {
    float[] q = new float[8];
    byte[] codes = new byte[8 * 10];
    float[] scales = new float[10];
    assertThrows(IndexOutOfBoundsException.class,
        () -> DotProduct.FASTEST.scores(q, codes, scales, 0, 5, 11, new float[6]));
    assertThrows(IndexOutOfBoundsException.class,
        () -> DotProduct.FASTEST.scores(q, codes, scales, 0, 0, 10, new float[9]));
    assertThrows(IndexOutOfBoundsException.class,
        () -> DotProduct.FASTEST.scores(q, codes, new float[9], 0, 0, 10, new float[10]));
    assertThrows(IndexOutOfBoundsException.class,
        () -> DotProduct.FASTEST.scores(q, codes, scales, 0, -1, 2, new float[3]));
  }

  private static boolean onPath(String command) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
  }

  private static boolean cpuHasVnni() throws Exception {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    return "x86_64".equals(System.getProperty("os.arch").replace("amd64", "x86_64")) && Files.exists(cpuinfo)
        && Files.readString(cpuinfo).contains(" avx512_vnni");
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
