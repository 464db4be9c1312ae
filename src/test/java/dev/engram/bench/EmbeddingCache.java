package dev.engram.bench;

import com.sun.management.ThreadMXBean;
import dev.engram.embed.MiniLmEncoder;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Vectors of benchmark texts kept on disk under target/locomo-cache/, keyed by the model name and a hash of the
 * texts, so that reruns skip the embedding (minutes on two shared cores).
 */
final class EmbeddingCache {
  private static final Path DIR = Path.of("target", "locomo-cache");

  private EmbeddingCache() {}

  static float[][] vectors(String model, List<String> texts, MiniLmEncoder encoder) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (String t : texts) {
      sha.update(t.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
    }
    Path file = DIR.resolve(model + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16) + ".f32");
    if (Files.exists(file)) {
      return read(file);
    }
    float[][] out = encoder.encode(texts, 1);
    write(file, out);
    return out;
  }

  /** Thread CPU per text of encoding {@code texts} one at a time (the cost a search pays for its query vector). */
  static double cpuMsPerText(MiniLmEncoder encoder, List<String> texts) throws Exception {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long t0 = threads.getCurrentThreadCpuTime();
    for (String t : texts) {
      encoder.encode(List.of(t), 1);
    }
    return (threads.getCurrentThreadCpuTime() - t0) / 1e6 / texts.size();
  }

  private static float[][] read(Path file) throws IOException {
    try (var in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      int n = in.readInt();
      int dim = in.readInt();
      float[][] out = new float[n][dim];
      for (float[] v : out) {
        for (int d = 0; d < dim; d++) {
          v[d] = in.readFloat();
        }
      }
      return out;
    }
  }

  private static void write(Path file, float[][] vectors) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (var out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
      out.writeInt(vectors.length);
      out.writeInt(vectors.length == 0 ? 0 : vectors[0].length);
      for (float[] v : vectors) {
        for (float x : v) {
          out.writeFloat(x);
        }
      }
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
