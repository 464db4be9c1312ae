package dev.engram.index;

import dev.engram.bench.BenchArgs;
import dev.engram.embed.MiniLmEncoder;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.testkit.Sentences;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.IndexSearcher;

/**
 * The hybrid search of a Lucene index of Mem0 memories without HTTP, the embedder or PostgreSQL: CPU per search on
 * one thread (a measure that a machine shared with other builds disturbs far less than wall-clock latency) and the
 * agreement of each variant's top 10 with a reference, for the {@link LuceneTuning} knobs that trade one for the
 * other. The index is one written by {@code scripts/bench.sh memories --home DIR} (its {@code index/memories}); it
 * is copied first and never changed. The queries are the memory benchmark's ({@link Sentences}, seed 7), embedded
 * in process once, and the searches are confined to the user and scope of the index's first passage.
 *
 * <p>Reference: the default ranking with an exact vector half (every vector scanned, as scopes up to {@link
 * LuceneTuning#EXACT_LIMIT} are), so a variant's agreement says how much of the hybrid top 10 an approximate vector
 * half loses. Variants: {@code default}, {@code exact}, {@code candidates=N} (HNSW candidates of the vector half of
 * a hybrid search).
 *
 * <p>Usage: scripts/bench.sh hybrid --index /tmp/mem100k/index/memories [--queries 500] [--limit 10] [--rounds 3]
 * [--variants default,candidates=100,candidates=200] [--save FILE] [--compare FILE] ({@code --save} writes the
 * reference's hits, {@code --compare} tells whether this build's reference has the same: for changes that should
 * not change the ranking)
 */
public final class HybridSearchBenchmark {
  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchArgs.parse(args);
    Path source = Path.of(o.getOrDefault("index", "/tmp/mem100k/index/memories"));
    int queryCount = Integer.parseInt(o.getOrDefault("queries", "500"));
    int limit = Integer.parseInt(o.getOrDefault("limit", "10"));
    int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
    List<String> variants = List.of(o.getOrDefault("variants", "default,candidates=100,candidates=200").split(","));

    Path dir = copy(source);
    List<String> texts = Sentences.generate(queryCount, 7);
    float[][] vectors;
    try (MiniLmEncoder encoder = MiniLmEncoder.load(1)) {
      vectors = encoder.encode(texts, 1);
    }
    var reference = LuceneTuning.DEFAULTS.withCommitIntervalMs(0);
    try (LuceneStore store = LuceneStore.open(dir, reference, null, Runnable::run)) {
      Scope scope = scope(store);
      List<PassageQuery> queries = new ArrayList<>();
      for (int i = 0; i < queryCount; i++) {
        queries.add(new PassageQuery(scope.user, Set.of(scope.owner), texts.get(i), vectors[i], SearchMode.HYBRID,
            limit));
      }
      System.out.printf("hybrid search of %s: %,d passages, %d segments; %d queries, limit %d, %d rounds on one"
          + " thread; %d cores%n", source, store.size(), store.segmentCount(), queryCount, limit, rounds,
          Runtime.getRuntime().availableProcessors());
      IndexSearcher searcher = store.acquire();
      ScopeVectors all;
      try {
        all = ScopeVectors.load(searcher.getIndexReader(), Integer.MAX_VALUE,
            ScopeVectors.Placement.GRAPH); // every vector held: exact
        for (var leaf : searcher.getIndexReader().leaves()) {
          long start = System.nanoTime();
          OwnerOrder.Segment.build(leaf.reader());
          System.out.printf("neighbour order of a segment of %,d passages built in %.1f ms (cold)%n",
              leaf.reader().maxDoc(), (System.nanoTime() - start) / 1e6);
        }
      } finally {
        store.release(searcher);
      }
      List<List<UUID>> truth = run(new LuceneSearch(store, reference, all), queries, 1).hits;
      if (o.containsKey("save")) { // the reference's hits, to compare another build with (--compare)
        Files.write(Path.of(o.get("save")), truth.stream().map(List::toString).toList());
      }
      if (o.containsKey("compare")) {
        List<String> saved = Files.readAllLines(Path.of(o.get("compare")));
        long same = 0;
        for (int i = 0; i < truth.size(); i++) {
          same += saved.get(i).equals(truth.get(i).toString()) ? 1 : 0;
        }
        System.out.printf("reference hits identical to %s for %d of %d queries%n", o.get("compare"), same,
            truth.size());
      }
      Map<String, LuceneSearch> searches = new LinkedHashMap<>();
      for (String v : variants) {
        searches.put(v, v.equals("exact") ? new LuceneSearch(store, tuning(v), all)
            : new LuceneSearch(store, tuning(v)));
      }
      Map<String, List<Double>> cpu = new LinkedHashMap<>();
      Map<String, Double> agreement = new HashMap<>();
      for (int round = 0; round <= rounds; round++) { // round 0 warms the JIT up; variants take turns in each round
        for (var e : searches.entrySet()) {
          Result r = run(e.getValue(), queries, 1);
          if (round > 0) {
            cpu.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(r.cpuMsPerSearch);
            agreement.put(e.getKey(), agreement(r.hits, truth));
          }
        }
      }
      for (String v : variants) {
        double[] ms = cpu.get(v).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("  %-24s CPU per search %.3f ms (median of %d rounds; min %.3f), top-%d agreement with"
            + " the exact reference %.4f%n", v, ms[ms.length / 2], ms.length, ms[0], limit, agreement.get(v));
      }
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
    System.exit(0);
  }

  private static LuceneTuning tuning(String variant) {
    LuceneTuning base = LuceneTuning.DEFAULTS.withCommitIntervalMs(0);
    if (variant.equals("default")) {
      return base;
    }
    if (variant.equals("exact")) {
      return base; // searched with every vector held (see main)
    }
    String[] kv = variant.split("=");
    if (kv[0].equals("candidates")) {
      return base.withVectorCandidates(Integer.parseInt(kv[1]));
    }
    throw new IllegalArgumentException("unknown variant " + variant);
  }

  private record Result(List<List<UUID>> hits, double cpuMsPerSearch) {}

  private static Result run(LuceneSearch search, List<PassageQuery> queries, int repeat) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<List<UUID>> hits = new ArrayList<>();
    long start = threads.getCurrentThreadCpuTime();
    for (int r = 0; r < repeat; r++) {
      for (PassageQuery q : queries) {
        List<ScoredPassage> found = search.search(q);
        if (r == 0) {
          hits.add(found.stream().map(ScoredPassage::id).toList());
        }
      }
    }
    return new Result(hits, (threads.getCurrentThreadCpuTime() - start) / 1e6 / repeat / queries.size());
  }

  /** The mean share of the reference's hits that a variant's hits hold. */
  private static double agreement(List<List<UUID>> hits, List<List<UUID>> truth) {
    double sum = 0;
    for (int i = 0; i < hits.size(); i++) {
      Set<UUID> expected = new HashSet<>(truth.get(i));
      sum += expected.isEmpty() ? 1 : hits.get(i).stream().filter(expected::contains).count()
          / (double) expected.size();
    }
    return sum / hits.size();
  }

  private record Scope(UUID user, UUID owner) {}

  /** The user and owner of the index's first passage. */
  private static Scope scope(LuceneStore store) throws Exception {
    IndexSearcher searcher = store.acquire();
    try {
      LeafReader leaf = searcher.getIndexReader().leaves().get(0).reader();
      TermsEnum users = leaf.terms(LuceneDocs.USER).iterator();
      UUID user = UUID.fromString(users.next().utf8ToString());
      UUID owner = UUID.fromString(leaf.storedFields().document(0).get(LuceneDocs.OWNER));
      return new Scope(user, owner);
    } finally {
      store.release(searcher);
    }
  }

  private static Path copy(Path source) throws Exception {
    Path dir = Files.createTempDirectory("engram-hybrid-bench-");
    try (Stream<Path> files = Files.list(source)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals("write.lock")) {
          Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return dir;
  }
}
