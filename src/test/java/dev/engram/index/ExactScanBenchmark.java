package dev.engram.index;

import dev.engram.bench.BenchArgs;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.testkit.ExactRecall;
import dev.engram.testkit.TemplateMemories;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What picks {@link LuceneTuning#EXACT_LIMIT} and {@link LuceneTuning#OVERSAMPLE}: for growing scopes of
 * near-duplicate memories ({@link TemplateMemories}, one owner), the time of an exact scan (SIMD and scalar) and of
 * HNSW searches with several candidate counts, and HNSW's recall@10 against the scan. Exact search pays where the
 * scan costs no more than an HNSW search that reaches 0.99.
 *
 * <p>Usage: scripts/bench.sh scan [--sizes 2000,5000,10000,20000,50000] [--dim 384] [--queries 200]
 * [--candidates 100,200,400,800] [--m 16] [--beam 50] [--kernel-rows 100000] (first times the dot product kernels
 * alone over that many rows of floats, of byte codes and of four-bit codes; 0 skips it)
 */
public final class ExactScanBenchmark {
  private static final UUID USER = new UUID(1, 1);
  private static final UUID OWNER = new UUID(2, 2);

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchArgs.parse(args);
    int[] sizes = ints(o.getOrDefault("sizes", "2000,5000,10000,20000,50000"));
    int[] candidates = ints(o.getOrDefault("candidates", "100,200,400,800"));
    int dim = Integer.parseInt(o.getOrDefault("dim", "384"));
    int queryCount = Integer.parseInt(o.getOrDefault("queries", "200"));
    int m = Integer.parseInt(o.getOrDefault("m", Integer.toString(LuceneTuning.DEFAULTS.hnswM())));
    int beam = Integer.parseInt(o.getOrDefault("beam", Integer.toString(LuceneTuning.DEFAULTS.hnswBeam())));
    System.out.printf("exact scan vs HNSW over one scope of near-duplicate memories, %d-dim, %d queries; fastest"
        + " dot product: %s; HNSW M %d, beam %d; %d cores, Java %s%n", dim, queryCount, DotProduct.FASTEST.name(), m,
        beam, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    int kernelRows = Integer.parseInt(o.getOrDefault("kernel-rows", "100000"));
    if (kernelRows > 0) {
      kernels(kernelRows, dim);
    }
    System.out.printf("(owners held in memory are scanned by byte codes, then floats, from %,d vectors on)%n",
        HeldVectors.CODED_FROM);
    List<String> texts = TemplateMemories.sentences(sizes[sizes.length - 1], 42);
    List<float[]> queries = TemplateMemories.sentences(queryCount, 7).stream()
        .map(t -> TemplateMemories.embedding(t, dim)).toList();

    Vertx vertx = Vertx.vertx();
    Path dir = Files.createTempDirectory("engram-scan-bench-");
    LuceneIndex hnsw = new LuceneIndex(vertx, dir, LuceneTuning.DEFAULTS.withExactSearch(0, 1)
        .withHnsw(m, beam, 1).withCommitIntervalMs(0).withRamBufferMb(256));
    var memory = new ScopeVectors(Integer.MAX_VALUE, ScopeVectors.Placement.GRAPH);
    int added = 0;
    long buildNanos = 0;
    for (int size : sizes) {
      long buildStart = System.nanoTime();
      List<IndexedPassage> batch = new ArrayList<>();
      for (; added < size; added++) {
        batch.add(new IndexedPassage(new UUID(3, added), added, USER, OWNER, texts.get(added),
            TemplateMemories.embedding(texts.get(added), dim)));
        if (batch.size() == 1000 || added == size - 1) {
          memory.upsert(batch);
          hnsw.add(List.copyOf(batch)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
          batch.clear();
        }
      }
      hnsw.flush().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      buildNanos += System.nanoTime() - buildStart;
      System.out.printf("%n%,d vectors (%d segments; HNSW index written in %.1f s in all)%n", size,
          hnsw.segmentCount().toCompletionStage().toCompletableFuture().get(), buildNanos / 1e9);
      List<List<ScoredPassage>> truth = new ArrayList<>();
      for (String kernel : List.of("scalar", "fastest")) {
        DotProduct dot = kernel.equals("scalar") ? DotProduct.SCALAR : DotProduct.FASTEST;
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
          long start = System.nanoTime();
          for (int repeat = round == 0 ? 5 : 1; repeat > 0; repeat--) {
            for (float[] q : queries) {
            List<ScoredPassage> top = memory.search(USER, Set.of(OWNER), q, 10, dot, null).exact();
              if (round == 1 && kernel.equals("fastest")) {
                truth.add(top);
              }
            }
          }
          if (round == 1) {
            System.out.printf("  exact scan (%s): %.3f ms per search%n", dot.name(),
                (System.nanoTime() - start) / 1e6 / queries.size());
          }
        }
      }
      for (int c : candidates) {
        double recall = 0;
        long start = 0;
        for (int round = 0; round < 2; round++) {
          recall = 0;
          start = System.nanoTime();
          for (int qi = 0; qi < queries.size(); qi++) {
            List<ScoredPassage> hits = hnsw.search(new PassageQuery(USER, Set.of(OWNER), null, queries.get(qi),
                SearchMode.VECTOR, c)).toCompletionStage().toCompletableFuture().get().subList(0, 10);
            recall += recall(hits, truth.get(qi));
          }
        }
        System.out.printf("  HNSW, %4d candidates: %.3f ms per search, recall@10 %.4f%n", c,
            (System.nanoTime() - start) / 1e6 / queries.size(), recall / queries.size());
      }
    }
    hnsw.close();
    vertx.close();
    System.exit(0);
  }

  /**
   * The kernels alone: one query against {@code rows} contiguous rows of floats and of bytes (what {@link
   * QuantizedVectors} and {@link HeldVectors} scan), each kernel timed over its own pass, the best of 20 passes.
   */
  private static void kernels(int rows, int dim) {
    var random = new java.util.Random(1);
    float[] floats = new float[rows * dim];
    byte[] bytes = new byte[rows * dim];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = (float) random.nextGaussian();
    }
    random.nextBytes(bytes);
    float[] scales = new float[rows];
    java.util.Arrays.fill(scales, 1);
    float[] query = new float[dim];
    for (int i = 0; i < dim; i++) {
      query[i] = (float) random.nextGaussian();
    }
    System.out.printf("kernels, one query against %,d rows of %d (best of 20 passes; byte rows after a float pass,"
        + " which leaves none of them in the CPU's cache, and pass after pass, which may leave many there):%n", rows,
        dim);
    for (DotProduct dot : new java.util.LinkedHashSet<>(List.of(DotProduct.FASTEST, DotProduct.JAVA,
        DotProduct.SCALAR))) {
      long floatBest = Long.MAX_VALUE;
      long coldBytes = Long.MAX_VALUE;
      long warmBytes = Long.MAX_VALUE;
      for (int pass = 0; pass < 20; pass++) {
        floatBest = Math.min(floatBest, floatPass(dot, query, floats, rows));
        coldBytes = Math.min(coldBytes, bytePass(dot, query, bytes, scales, rows));
      }
      for (int pass = 0; pass < 20; pass++) {
        warmBytes = Math.min(warmBytes, bytePass(dot, query, bytes, scales, rows));
      }
      System.out.printf("  %-30s float rows %.2f ms; byte rows %.2f ms after a float pass, %.2f ms pass after pass%n",
          dot.name(), floatBest / 1e6, coldBytes / 1e6, warmBytes / 1e6);
      if (dot.scansNibbles()) {
        byte[] nibbles = new byte[rows * NibbleCodes.bytesPerRow(dim)];
        random.nextBytes(nibbles);
        long coldNibbles = Long.MAX_VALUE;
        long warmNibbles = Long.MAX_VALUE;
        for (int pass = 0; pass < 20; pass++) {
          floatPass(dot, query, floats, rows);
          coldNibbles = Math.min(coldNibbles, nibblePass(dot, query, nibbles, scales, rows));
        }
        for (int pass = 0; pass < 20; pass++) {
          warmNibbles = Math.min(warmNibbles, nibblePass(dot, query, nibbles, scales, rows));
        }
        System.out.printf("  %-30s four-bit rows %.2f ms after a float pass, %.2f ms pass after pass%n", "",
            coldNibbles / 1e6, warmNibbles / 1e6);
      }
    }
  }

  /** A pass over four-bit rows in chunks ({@link DotProduct#nibbleScores}), a scan's first pass. */
  private static long nibblePass(DotProduct dot, float[] query, byte[] rows, float[] scales, int count) {
    return chunkedPass(count, (from, to, out) -> dot.nibbleScores(query, rows, scales, 0, from, to, out));
  }

  /** Nanoseconds for one pass over float rows (each kernel in a loop of its own, as the scans run it). */
  private static long floatPass(DotProduct dot, float[] query, float[] rows, int count) {
    long start = System.nanoTime();
    float sink = 0;
    for (int r = 0; r < count; r++) {
      sink += dot.dot(query, rows, r * query.length);
    }
    return sink == Float.MIN_VALUE ? 0 : System.nanoTime() - start;
  }

  /** A pass over byte rows in chunks, as the scans run it ({@link DotProduct#scores}). */
  private static long bytePass(DotProduct dot, float[] query, byte[] rows, float[] scales, int count) {
    return chunkedPass(count, (from, to, out) -> dot.scores(query, rows, scales, 0, from, to, out));
  }

  /** Scores rows {@code [from, to)} into {@code out}. */
  private interface Chunk {
    void score(int from, int to, float[] out);
  }

  /** Nanoseconds for one pass over {@code count} rows in {@link SharedScan#CHUNK_ROWS} chunks. */
  private static long chunkedPass(int count, Chunk chunk) {
    long start = System.nanoTime();
    float sink = 0;
    float[] out = new float[SharedScan.CHUNK_ROWS];
    for (int from = 0; from < count; from += SharedScan.CHUNK_ROWS) {
      chunk.score(from, Math.min(count, from + SharedScan.CHUNK_ROWS), out);
      sink += out[0];
    }
    return sink == Float.MIN_VALUE ? 0 : System.nanoTime() - start;
  }

  /** The share of the exact top 10 found; a hit tying the exact 10th score counts. */
  private static double recall(List<ScoredPassage> hits, List<ScoredPassage> exact) {
    double kth = exact.get(exact.size() - 1).score();
    int found = 0;
    for (ScoredPassage h : hits) {
      if (h.score() >= kth - ExactRecall.TIE) {
        found++;
      }
    }
    return Math.min(found, exact.size()) / (double) exact.size();
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
