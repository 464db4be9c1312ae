package dev.engram.bench;

import dev.engram.index.LuceneIndex;
import dev.engram.index.LuceneTuning;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Builds a {@link LuceneIndex} of clustered synthetic unit vectors through its public API (upsert batches, the
 * server's worker pool), then prints build rate, size on disk, heap, and for several over-fetch settings the
 * recall@10 against exact brute force and the search latency of VECTOR queries filtered like the server's (one user,
 * one owner; here every vector but one belongs to them, and the filter is measured both when it admits every
 * document, which LuceneSearch skips, and when it admits all but one). Measured before and after a force-merge to
 * one segment.
 *
 * <p>Usage: scripts/bench.sh index [--vectors 1000000] [--queries 1000] [--dim 384] [--topics 1000]
 * [--subtopics 20] [--candidates 50,100,200] [--recall-sample 100] [--ram-mb 256] [--merge-workers 2]
 * [--inflight 2] [--commit-ms 0] [--force-merge true] [--reuse false] [--dir target/bench-index]
 */
public final class VectorIndexBenchmark {
  private static final UUID USER = new UUID(1, 1);
  private static final UUID OWNER = new UUID(2, 2);
  /** Owns one extra passage, so that a search over OWNER alone needs a real filter (all but one document). */
  private static final UUID OTHER_OWNER = new UUID(3, 3);

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchArgs.parse(args);
    int n = Integer.parseInt(o.getOrDefault("vectors", "1000000"));
    int queries = Integer.parseInt(o.getOrDefault("queries", "1000"));
    int dim = Integer.parseInt(o.getOrDefault("dim", "384"));
    int topics = Integer.parseInt(o.getOrDefault("topics", "1000"));
    int subtopics = Integer.parseInt(o.getOrDefault("subtopics", "20"));
    int sample = Integer.parseInt(o.getOrDefault("recall-sample", "100"));
    int inflight = Integer.parseInt(o.getOrDefault("inflight", "2"));
    int batch = 1000;
    boolean forceMerge = Boolean.parseBoolean(o.getOrDefault("force-merge", "true"));
    int[] candidates = Arrays.stream(o.getOrDefault("candidates", "50,100,200").split(","))
        .mapToInt(Integer::parseInt).toArray();
    Path dir = Path.of(o.getOrDefault("dir", "target/bench-index"));
    LuceneTuning tuning = LuceneTuning.DEFAULTS
        .withRamBufferMb(Double.parseDouble(o.getOrDefault("ram-mb", "256")))
        .withHnsw(16, 100, Integer.parseInt(o.getOrDefault("merge-workers", "2")))
        .withCommitIntervalMs(Long.parseLong(o.getOrDefault("commit-ms", "0")))
        // HNSW alone, with exactly the candidates each measurement names (no exact scan, no oversampling)
        .withExactSearch(0, 1);
    var data = new ClusteredVectors(dim, topics, subtopics, 0.7f, 0.5f);
    System.out.printf("vector index benchmark: %,d x %d-dim clustered unit vectors (%d topics x %d subtopics), "
        + "HNSW M=%d beam=%d, RAM buffer %.0f MB, %d upserts of %d in flight, %d cores, Java %s%n", n, dim, topics,
        subtopics, tuning.hnswM(), tuning.hnswBeam(), tuning.ramBufferMb(), inflight, batch,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

    Vertx vertx = Vertx.vertx();
    if (Boolean.parseBoolean(o.getOrDefault("reuse", "false")) && Files.isDirectory(dir)) {
      System.out.println("reusing the index in " + dir + " (built earlier with the same data options)");
    } else {
      build(vertx, dir, tuning, data, n, batch, inflight);
    }
    report(dir, n);

    System.out.printf("exact top-10 for %d sample queries (brute force over all %,d vectors)...%n", sample, n);
    long tb = System.nanoTime();
    long[][] truth = BruteForce.top10(data, n, sample);
    System.out.printf("  brute force: %.1f ms per query (scalar, regenerating vectors)%n",
        (System.nanoTime() - tb) / 1e6 / sample);

    measure(vertx, dir, tuning, data, candidates, queries, truth);
    if (forceMerge) {
      var merging = new LuceneIndex(vertx, dir, tuning);
      long tm = System.nanoTime();
      await(merging.forceMerge(1));
      await(merging.flush());
      System.out.printf("force-merge to 1 segment: %.1f s%n", (System.nanoTime() - tm) / 1e9);
      merging.close();
      report(dir, n);
      measure(vertx, dir, tuning, data, candidates, queries, truth);
    }
    await(vertx.close());
  }

  private static void build(Vertx vertx, Path dir, LuceneTuning tuning, ClusteredVectors data, int n, int batch,
      int inflight) throws IOException {
    deleteTree(dir);
    var index = new LuceneIndex(vertx, dir, tuning);
    long t0 = System.nanoTime();
    var pending = new ArrayDeque<Future<Void>>();
    pending.add(index.upsert(List.of(new IndexedPassage(new UUID(0, n), n, USER, OTHER_OWNER, "extra",
        data.query(999_999)))));
    for (int from = 0; from < n; from += batch) {
      var passages = new ArrayList<IndexedPassage>(batch);
      for (int i = from; i < Math.min(n, from + batch); i++) {
        passages.add(new IndexedPassage(new UUID(0, i), i, USER, OWNER, "passage " + i, data.vector(i)));
      }
      pending.add(index.upsert(passages));
      if (pending.size() >= inflight) {
        await(pending.poll());
      }
      if ((from / batch) % 100 == 99) {
        System.out.printf("  %,d upserted, %.0f s%n", from + batch, (System.nanoTime() - t0) / 1e9);
      }
    }
    while (!pending.isEmpty()) {
      await(pending.poll());
    }
    double upsertSecs = (System.nanoTime() - t0) / 1e9;
    await(index.flush());
    double buildSecs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("build: %,d vectors in %.1f s upserting + commit = %.1f s -> %,.0f vectors/s; %d segments%n",
        n, upsertSecs, buildSecs, n / buildSecs, await(index.segmentCount()));
    index.close();
  }

  private static void measure(Vertx vertx, Path dir, LuceneTuning tuning, ClusteredVectors data, int[] candidates,
      int queries, long[][] truth) {
    for (int k : candidates) {
      var index = new LuceneIndex(vertx, dir, tuning.withVectorCandidates(k));
      int segments = await(index.segmentCount());
      for (Set<UUID> owners : List.of(Set.of(OWNER, OTHER_OWNER), Set.of(OWNER))) {
        String filter = owners.size() == 2 ? "filter admits all docs (skipped)" : "filter admits all but 1 doc";
        // recall over the sample
        double hits = 0;
        for (int q = 0; q < truth.length; q++) {
          Set<Long> found = new java.util.HashSet<>();
          for (ScoredPassage p : search(index, owners, data.query(q))) {
            found.add(p.id().getLeastSignificantBits());
          }
          for (long id : truth[q]) {
            hits += found.contains(id) ? 1 : 0;
          }
        }
        double recall = hits / (truth.length * 10.0);
        // latency: warm up, then time each query (queries past the recall sample, so not cached)
        for (int q = 0; q < Math.min(200, queries); q++) {
          search(index, owners, data.query(100_000 + q));
        }
        long[] nanos = new long[queries];
        List<float[]> qs = new ArrayList<>(queries);
        for (int q = 0; q < queries; q++) {
          qs.add(data.query(200_000 + q));
        }
        for (int q = 0; q < queries; q++) {
          long s = System.nanoTime();
          search(index, owners, qs.get(q));
          nanos[q] = System.nanoTime() - s;
        }
        Arrays.sort(nanos);
        System.out.printf("  segments %d, candidates %3d, %s: recall@10 %.3f, latency p50 %.2f ms, p99 %.2f ms "
            + "(%d queries, one at a time)%n", segments, k, filter, recall, nanos[queries / 2] / 1e6,
            nanos[(int) (queries * 0.99)] / 1e6, queries);
      }
      index.close();
    }
  }

  private static List<ScoredPassage> search(LuceneIndex index, Set<UUID> owners, float[] q) {
    return await(index.search(new PassageQuery(USER, owners, null, q, SearchMode.VECTOR, 10)));
  }

  private static void report(Path dir, int n) throws IOException {
    long bytes;
    try (Stream<Path> files = Files.walk(dir)) {
      bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    System.out.printf("index on disk: %,.1f MB = %,.0f bytes per vector; heap used after GC %,.0f MB (max %,.0f MB)%n",
        bytes / 1e6, bytes / (double) n, (rt.totalMemory() - rt.freeMemory()) / 1e6, rt.maxMemory() / 1e6);
  }

  static <T> T await(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().join();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
