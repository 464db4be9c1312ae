package dev.engram.bench;

import dev.engram.testkit.TempHomes;
import com.sun.management.OperatingSystemMXBean;
import dev.engram.embed.MiniLmEncoder;
import dev.engram.index.LuceneIndex;
import dev.engram.index.LuceneTuning;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.index.TextFeedback;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The LoCoMo retrieval figures of {@link LocomoBenchmark} for many index settings in one run: the turns and
 * questions are embedded once (same model, same vectors as the server), then for each setting a fresh
 * {@link LuceneIndex} in process holds every conversation (one owner each, one user) and answers every question.
 * Use it to see how hybrid and text recall vary with the fusion weight, the fusion depth, BM25 feedback and BM25
 * parameters; confirm the chosen defaults with {@code scripts/bench.sh locomo}, which goes through HTTP.
 *
 * <p>Usage: scripts/bench.sh locomo-sweep [--data ../shared/data/locomo] [--weights 0.5,0.6,0.7,0.8,0.9]
 * [--depths 50] [--contexts 0,0.3] [--feedback 0:0:0,3:10:0.3] [--bm25 1.2:0.4] (feedback as docs:terms:weight,
 * bm25 as k1:b). Turns are stored in conversation order, as an agent would store them. The questions run one at a
 * time; "ms" is the process CPU time per question (search only: the question vectors are computed up front).
 */
public final class LocomoSweep {
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    Path data = Path.of(opts.getOrDefault("data", "../shared/data/locomo"));
    List<Double> weights = doubles(opts.getOrDefault("weights", "0.5,0.6,0.7,0.8,0.9"));
    List<Double> depths = doubles(opts.getOrDefault("depths", "50"));
    List<String> feedbacks = List.of(opts.getOrDefault("feedback", "0:0:0,3:10:0.3").split(","));
    List<String> bm25s = List.of(opts.getOrDefault("bm25", "1.2:0.4").split(","));
    List<Double> contexts = doubles(opts.getOrDefault("contexts", "0,0.3"));

    LocomoData locomo = LocomoData.load(data);
    UUID user = locomo.user();
    Map<String, UUID> ownerOf = locomo.ownerOf();
    List<String> turnIds = locomo.turnIds();
    List<UUID> owners = locomo.owners();
    List<String> texts = locomo.texts();
    List<JsonObject> questions = locomo.questions();
    long t0 = System.nanoTime();
    float[][] passageVectors;
    float[][] questionVectors;
    try (MiniLmEncoder encoder = MiniLmEncoder.load(Runtime.getRuntime().availableProcessors())) {
      passageVectors = encoder.encode(texts, 1);
      questionVectors = encoder.encode(questions.stream().map(q -> q.getString("question")).toList(), 1);
    }
    System.out.printf("embedded %d turns and %d questions in %.1f s%n%n", texts.size(), questions.size(),
        (System.nanoTime() - t0) / 1e9);
    List<IndexedPassage> passages = new ArrayList<>();
    Map<UUID, String> turnOf = new HashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      UUID id = UUID.randomUUID();
      turnOf.put(id, turnIds.get(i));
      passages.add(new IndexedPassage(id, i + 1, user, owners.get(i), texts.get(i), passageVectors[i]));
    }

    System.out.printf("%-9s %-11s %5s %6s %7s | %-32s | %-32s%n", "bm25", "feedback", "depth", "weight", "context",
        "text any@5 any@10 frac@5 @10 ms", "hybrid any@5 any@10 frac@5 @10 ms");
    Vertx vertx = Vertx.vertx();
    try {
      for (String bm25 : bm25s) {
        for (String feedback : feedbacks) {
          String[] b = bm25.split(":");
          String[] f = feedback.split(":");
          LuceneTuning base = LuceneTuning.DEFAULTS.withBm25(Float.parseFloat(b[0]), Float.parseFloat(b[1]))
              .withFeedback(new TextFeedback.Settings(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
                  Float.parseFloat(f[2])));
          String text = null;
          for (double depth : depths) {
            for (double weight : weights) {
             for (double context : contexts) {
              LuceneTuning tuning = base.withFusion((int) depth, weight).withContextWeight(context);
              Path dir = TempHomes.create("engram-locomo-sweep-");
              try (LuceneIndex index = new LuceneIndex(vertx, dir, tuning)) {
                await(index.upsert(passages));
                if (text == null) {
                  text = score(index, SearchMode.TEXT, user, questions, questionVectors, ownerOf, turnOf);
                }
                String hybrid = score(index, SearchMode.HYBRID, user, questions, questionVectors, ownerOf, turnOf);
                System.out.printf("%-9s %-11s %5d %6.2f %7.2f | %-32s | %-32s%n", bm25, feedback, (int) depth,
                    weight, context, text, hybrid);
              }
             }
            }
          }
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    System.exit(0);
  }

  private static String score(LuceneIndex index, SearchMode mode, UUID user, List<JsonObject> questions,
      float[][] vectors, Map<String, UUID> ownerOf, Map<UUID, String> turnOf) throws Exception {
    double[] sums = new double[4];
    long cpu0 = OS.getProcessCpuTime();
    for (int i = 0; i < questions.size(); i++) {
      JsonObject q = questions.get(i);
      List<ScoredPassage> hits = await(index.search(new PassageQuery(user, Set.of(ownerOf.get(q.getString(
          "sample_id"))), q.getString("question"), vectors[i], mode, 10)));
      List<String> ranked = hits.stream().map(h -> turnOf.get(h.id())).toList();
      Set<String> gold = new HashSet<>();
      q.getJsonArray("evidence").forEach(e -> gold.add(String.valueOf(e)));
      int h5 = LocomoBenchmark.hits(ranked, gold, 5);
      int h10 = LocomoBenchmark.hits(ranked, gold, 10);
      sums[0] += h5 > 0 ? 1 : 0;
      sums[1] += h10 > 0 ? 1 : 0;
      sums[2] += h5 / (double) gold.size();
      sums[3] += h10 / (double) gold.size();
    }
    int n = questions.size();
    return String.format("%.3f %.3f %.3f %.3f %.2f", sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n,
        (OS.getProcessCpuTime() - cpu0) / 1e6 / n);
  }

  private static List<Double> doubles(String csv) {
    List<Double> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      out.add(Double.parseDouble(s));
    }
    return out;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
  }
}
