package dev.engram.index;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DotProduct} whose scans of byte codes ({@link #scores}) run in the native kernel of {@code src/main/c}, on
 * AVX-512 VNNI: a byte-times-byte product summed in 32-bit lanes by one instruction, where the JDK 17 Vector API
 * widens every byte to a float. A scan of 100,000 rows of 384 codes took 1.3-2.0 ms on one core of a Zen 4 VM
 * against 2.3-2.7 ms for {@link SimdDotProduct} ({@code scripts/bench.sh scan}; performance notes). It also scores
 * chosen rows of byte codes in one call ({@link #scoresAt}), and rows of four-bit codes ({@link #nibbleScores}, a
 * first pass: 0.8-1.2 ms for those 100,000 rows, against 2.2 ms for their byte codes the same hour). Single rows, and
 * everything over floats, go to the Java kernel it wraps (a native call costs more than one row's product).
 *
 * <p>The float query is cut into two byte vectors, {@code query[i] ~ scale * (hi[i] + lo[i] / 254)}: about sixteen
 * bits, so the scores differ from the Java kernel's by about 1e-5 of their size, far below the codes' own error (the
 * four-bit pass takes the high byte alone: it only ranks). The library is built by {@code scripts/build-native.sh} into
 * the class path (so into the jar), loaded from there (from a private temporary copy when it is inside the jar) and
 * used only when the CPU and the OS support its instructions; {@code ENGRAM_NATIVE_KERNEL=off} (an environment variable
 * or system property) leaves it out.
 */
final class NativeDotProduct extends DotProduct {
  static final String LIBRARY = "native/linux-x86_64/libengram_scan.so";
  /** Above this the kernel's 32-bit sums could overflow (each lane adds up to 4 x 255 x 127 per 64 dimensions). */
  static final int MAX_DIM = 32_768;
  /** The two bytes of a query component: {@code hi + lo / LO_STEPS}. */
  private static final float LO_STEPS = 254;

  private final DotProduct java;

  private NativeDotProduct(DotProduct java) {
    this.java = java;
  }

  /** {@code java} with native scans of byte codes when the library loaded and the CPU runs it, else {@code java}. */
  static DotProduct over(DotProduct java) {
    return Library.LOADED ? new NativeDotProduct(java) : java;
  }

  static boolean available() {
    return Library.LOADED;
  }

  @Override
  float dot(float[] query, float[] data, int offset) {
    return java.dot(query, data, offset);
  }

  @Override
  float dot(float[] query, byte[] data, int offset) {
    return java.dot(query, data, offset);
  }

  @Override
  void scores(float[] query, byte[] codes, float[] scales, float base, int from, int to, float[] out) {
    int dim = query.length;
    if (from < 0 || to < from || (long) to * dim > codes.length || to > scales.length || out.length < to - from) {
      throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of " + dim + " codes in " + codes.length
          + " bytes with " + scales.length + " scales, into " + out.length);
    }
    if (to == from) {
      return;
    }
    Query q = Query.of(query, 64, true);
    if (q == null || !Library.scores(q.hi, q.lo, q.scale, codes, scales, base, from, null, to - from, dim, out)) {
      java.scores(query, codes, scales, base, from, to, out);
    }
  }

  @Override
  void scoresAt(float[] query, byte[] codes, float[] scales, float base, int[] rows, int count, float[] out) {
    int dim = query.length;
    if (count < 0 || count > rows.length || out.length < count) {
      throw new IndexOutOfBoundsException(count + " rows of " + rows.length + ", into " + out.length);
    }
    for (int i = 0; i < count; i++) {
      if (rows[i] < 0 || rows[i] >= scales.length || (long) (rows[i] + 1) * dim > codes.length) {
        throw new IndexOutOfBoundsException("row " + rows[i] + " of " + dim + " codes in " + codes.length
            + " bytes with " + scales.length + " scales");
      }
    }
    if (count == 0) {
      return;
    }
    Query q = Query.of(query, 64, true);
    if (q == null || !Library.scores(q.hi, q.lo, q.scale, codes, scales, base, 0, rows, count, dim, out)) {
      java.scoresAt(query, codes, scales, base, rows, count, out);
    }
  }

  @Override
  boolean scansNibbles() {
    return true;
  }

  @Override
  void nibbleScores(float[] query, byte[] nibbles, float[] scales, float base, int from, int to, float[] out) {
    int bytes = NibbleCodes.bytesPerRow(query.length);
    if (from < 0 || to < from || (long) to * bytes > nibbles.length || to > scales.length || out.length < to - from) {
      throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of " + bytes + " bytes in "
          + nibbles.length + " with " + scales.length + " scales, into " + out.length);
    }
    if (to == from) {
      return;
    }
    Query q = Query.of(query, 128, false);
    if (q == null || !Library.nibbleScores(q.hi, q.scale, nibbles, scales, base, from, to - from, bytes, out)) {
      java.nibbleScores(query, nibbles, scales, base, from, to, out);
    }
  }

  /**
   * A float query as the kernel reads it: {@code query[i] ~ scale * (hi[i] + lo[i] / LO_STEPS)}, both padded with
   * zeros to a multiple of {@code block} bytes (the kernel's reads); null when the kernel cannot take it (a width past
   * {@link #MAX_DIM}, a component not finite): the Java kernel scores instead.
   */
  private record Query(byte[] hi, byte[] lo, float scale) {
    static Query of(float[] query, int block, boolean withLow) {
      int dim = query.length;
      float max = 0;
      for (float q : query) {
        max = Math.max(max, Math.abs(q));
      }
      if (dim == 0 || dim > MAX_DIM || !Float.isFinite(max)) {
        return null;
      }
      int padded = (dim + block - 1) / block * block;
      byte[] hi = new byte[padded];
      byte[] lo = withLow ? new byte[padded] : null;
      float scale = max / 127;
      if (scale > 0) {
        for (int i = 0; i < dim; i++) {
          float x = query[i] / scale;
          int h = Math.round(x);
          hi[i] = (byte) h;
          if (withLow) {
            lo[i] = (byte) Math.round((x - h) * LO_STEPS);
          }
        }
      }
      return new Query(hi, lo, scale);
    }
  }

  @Override
  String name() {
    return "native-avx512-vnni+" + java.name();
  }

  /**
   * The library and its entry points, apart from the kernel class: {@link DotProduct}'s initialisation asks {@link
   * #over} for its fastest kernel, so a flag of this subclass could still be unset then (when this class is the first
   * touched, its superclass is initialised first); this holder's initialisation depends on neither.
   */
  private static final class Library {
    private static final Logger log = LoggerFactory.getLogger(NativeDotProduct.class);
    static final boolean LOADED = load();

    private static native boolean usable();

    /** Rows {@code first ..} or, when {@code at} is not null, rows {@code at[0 .. rows)}. */
    private static native boolean scores(byte[] hi, byte[] lo, float scale, byte[] codes, float[] scales, float base,
        int first, int[] at, int rows, int dim, float[] out);

    private static native boolean nibbleScores(byte[] q, float scale, byte[] nibbles, float[] scales, float base,
        int first, int rows, int bytes, float[] out);

    private static boolean load() {
      String setting = System.getProperty("ENGRAM_NATIVE_KERNEL", System.getenv("ENGRAM_NATIVE_KERNEL"));
      if ("off".equalsIgnoreCase(setting) || "false".equalsIgnoreCase(setting)) {
        return false;
      }
      URL url = NativeDotProduct.class.getClassLoader().getResource(LIBRARY);
      if (url == null) {
        return false; // not built here (scripts/build-native.sh says why)
      }
      try {
        System.load(("file".equals(url.getProtocol()) ? Path.of(url.toURI()) : copied(url)).toString());
        return usable();
      } catch (IOException | URISyntaxException | RuntimeException | UnsatisfiedLinkError e) {
        log.warn("The native scan kernel could not be loaded ({}): vector scans use the Java kernel", e.toString());
        return false;
      }
    }

    /** A copy of the library out of the jar, in a new file only this user can read, deleted at exit. */
    private static Path copied(URL url) throws IOException {
      Path file = Files.createTempFile("engram-scan-", ".so");
      file.toFile().deleteOnExit();
      try (InputStream in = url.openStream()) {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return file;
    }
  }
}
