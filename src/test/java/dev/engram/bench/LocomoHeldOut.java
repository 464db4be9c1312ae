package dev.engram.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.engram.embed.MiniLmEncoder;
import dev.engram.index.IndexProbe;
import dev.engram.index.LuceneTuning;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.index.QueryHints;
import dev.engram.index.TextFeedback;
import dev.engram.testkit.TempHomes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * LoCoMo turn retrieval scored leave-one-conversation-out: for each of the conversations in turn, the free
 * parameters of a search mode are chosen on the other conversations' questions (the setting with the best any@5,
 * any@10 breaking ties) and that setting is scored on the held-out conversation's questions. The table gives, per
 * question category, the mean over the held-out conversations and their spread (min-max), for any@5/10/20 and
 * frac@5/10/20, and the process CPU per search. The search is the server's own Lucene search ({@link IndexProbe}),
 * one index holding every conversation (one owner each), so BM25 statistics are index-wide as in the server.
 *
 * <p>Families compared (each tuned by the same protocol): vector (no free parameter), text (BM25 k1 and b), hybrid
 * without query hints (fusion weight, neighbour context and its reach, feedback on or off), and hybrid with {@link
 * QueryHints} (the same, plus name and time boosts). The "fixed defaults" row scores the server's defaults on every
 * conversation without tuning (not a held-out figure: the defaults were chosen looking at all five).
 *
 * <p>Usage: scripts/bench.sh locomo-heldout [--data ../shared/data/locomo] [--model minilm|bge] [--weights 0.6,0.7,0.8]
 * [--contexts 0.3,0.5] [--reaches 1,2] [--feedback 0:0:0,3:10:0.3] [--names 0] [--times 0,0.3,0.5,0.7,1]
 * [--bm25 1.2:0.4,0.9:0.4,1.5:0.4,1.2:0.75] (text only; hybrid uses 1.2:0.4) [--dump FILE] (the default hybrid's top 5
 * per question, as JSON lines). The defaults are the grid of src/site/markdown/retrieval.md. Embeddings are cached under
 * target/locomo-cache/ (keyed by the texts), so only the first run pays for them.
 */
public final class LocomoHeldOut {
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final String[] METRICS = {"any@5", "any@10", "any@20", "frac@5", "frac@10", "frac@20"};
  private static final int DEPTH = 20;

  /** One question: its conversation, category, gold turns and query vector. */
  record Question(String conversation, int category, String text, Set<String> gold, float[] vector) {}

  /** One setting's per-question metrics (rows: questions, columns: {@link #METRICS}) and CPU ms per search. */
  record Run(String name, double[][] scores, double cpuMs) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    Path data = Path.of(opts.getOrDefault("data", "../shared/data/locomo"));
    LocomoData locomo = LocomoData.load(data);
    UUID user = locomo.user();
    Map<String, UUID> ownerOf = locomo.ownerOf();
    List<String> turnIds = locomo.turnIds();
    List<UUID> owners = locomo.owners();
    List<String> texts = locomo.texts();
    List<JsonObject> raw = locomo.questions();
    long t0 = System.nanoTime();
    float[][] passageVectors;
    float[][] questionVectors;
    double embedMs;
    String model = opts.getOrDefault("model", "minilm");
    boolean bge = model.equals("bge");
    // bge-small-en-v1.5 is trained to embed a search query with this instruction in front (passages without)
    String prefix = bge ? "Represent this sentence for searching relevant passages: " : "";
    List<String> asked = raw.stream().map(q -> prefix + q.getString("question")).toList();
    try (MiniLmEncoder encoder = MiniLmEncoder.load(bge ? MiniLmEncoder.Model.BGE_SMALL
        : MiniLmEncoder.Model.MINILM_L6, 1)) {
      passageVectors = EmbeddingCache.vectors(model, texts, encoder);
      questionVectors = EmbeddingCache.vectors(model, asked, encoder);
      embedMs = EmbeddingCache.cpuMsPerText(encoder, asked.subList(0, 100));
    }
    List<Question> questions = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      JsonObject q = raw.get(i);
      Set<String> gold = new HashSet<>();
      q.getJsonArray("evidence").forEach(e -> gold.add(String.valueOf(e)));
      questions.add(new Question(q.getString("sample_id"), q.getInteger("category"), q.getString("question"), gold,
          questionVectors[i]));
    }
    System.out.printf("%d turns of %d conversations, %d questions (categories 1-4 with evidence); vectors ready in "
        + "%.1f s; embedding a question costs %.1f ms of CPU%n", texts.size(), ownerOf.size(), questions.size(),
        (System.nanoTime() - t0) / 1e9, embedMs);
    List<IndexedPassage> passages = new ArrayList<>();
    Map<UUID, String> turnOf = new HashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      UUID id = UUID.randomUUID();
      turnOf.put(id, turnIds.get(i));
      passages.add(new IndexedPassage(id, i + 1, user, owners.get(i), texts.get(i), passageVectors[i]));
    }
    Searcher searcher = (probe, mode, tuning) -> {
      double[][] scores = new double[questions.size()][];
      long cpu0 = OS.getProcessCpuTime();
      for (int i = 0; i < questions.size(); i++) {
        Question q = questions.get(i);
        List<ScoredPassage> hits = probe.search(new PassageQuery(user, Set.of(ownerOf.get(q.conversation())),
            q.text(), q.vector(), mode, DEPTH), tuning);
        scores[i] = metrics(hits.stream().map(h -> turnOf.get(h.id())).toList(), q.gold());
      }
      return new Run(mode + " " + describe(tuning), scores, (OS.getProcessCpuTime() - cpu0) / 1e6 / questions.size());
    };

    Map<String, List<Run>> families = new LinkedHashMap<>();
    LuceneTuning base = LuceneTuning.DEFAULTS;
    try (IndexProbe probe = IndexProbe.build(TempHomes.create("engram-locomo-heldout-"), base, passages)) {
      searcher.run(probe, SearchMode.HYBRID, base); // warm-up: the JIT, so that the CPU figures are steady
      if (opts.containsKey("dump")) { // the default hybrid's top 5 per question, to read what it misses
        List<String> lines = new ArrayList<>();
        for (Question q : questions) {
          List<String> top = probe.search(new PassageQuery(user, Set.of(ownerOf.get(q.conversation())), q.text(),
              q.vector(), SearchMode.HYBRID, 5), base).stream().map(h -> turnOf.get(h.id())).toList();
          lines.add(new JsonObject().put("conversation", q.conversation()).put("category", q.category())
              .put("question", q.text()).put("gold", new JsonArray(List.copyOf(q.gold())))
              .put("top", new JsonArray(top)).encode());
        }
        Files.write(Path.of(opts.get("dump")), lines);
      }
      families.put("vector", List.of(searcher.run(probe, SearchMode.VECTOR, base)));
      families.put("hybrid, fixed defaults", List.of(searcher.run(probe, SearchMode.HYBRID, base)));
      List<Run> plain = new ArrayList<>();
      List<Run> hinted = new ArrayList<>();
      for (double weight : doubles(opts.getOrDefault("weights", "0.6,0.7,0.8"))) {
        for (double context : doubles(opts.getOrDefault("contexts", "0.3,0.5"))) {
         for (double reach : doubles(opts.getOrDefault("reaches", "1,2"))) {
          for (String fb : opts.getOrDefault("feedback", "0:0:0,3:10:0.3").split(",")) {
            String[] f = fb.split(":");
            LuceneTuning t = base.withFusion(base.hybridDepth(), weight).withContextWeight(context)
                .withContextReach((int) reach)
                .withFeedback(new TextFeedback.Settings(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
                    Float.parseFloat(f[2])));
            for (double names : doubles(opts.getOrDefault("names", "0"))) {
              for (double times : doubles(opts.getOrDefault("times", "0,0.3,0.5,0.7,1"))) {
                Run run = searcher.run(probe, SearchMode.HYBRID,
                    t.withHints(new QueryHints.Settings((float) names, (float) times)));
                (names == 0 && times == 0 ? plain : hinted).add(run);
                if (names == 0 && times == 0) {
                  hinted.add(run);
                }
              }
            }
          }
         }
        }
        System.out.printf("  swept BM25 weight %.2f (%d hybrid settings so far)%n", weight, hinted.size());
      }
      families.put("hybrid (weight, context, feedback)", plain);
      families.put("hybrid + hints (names, time)", hinted);
    }
    List<Run> text = new ArrayList<>();
    for (String bm25 : opts.getOrDefault("bm25", "1.2:0.4,0.9:0.4,1.5:0.4,1.2:0.75").split(",")) {
      String[] b = bm25.split(":");
      LuceneTuning t = base.withBm25(Float.parseFloat(b[0]), Float.parseFloat(b[1]));
      try (IndexProbe probe = IndexProbe.build(TempHomes.create("engram-locomo-heldout-"), t, passages)) {
        text.add(searcher.run(probe, SearchMode.TEXT, t));
      }
    }
    families.put("text (BM25 k1, b)", text);

    List<String> conversations = new ArrayList<>(ownerOf.keySet());
    System.out.printf("%nLeave one conversation out (%d folds): mean over the held-out conversations (min-max)%n",
        conversations.size());
    System.out.printf("%-36s %-12s %-24s %-19s %-19s %-19s %-19s %-19s %-19s %7s%n", "family", "category",
        "chosen (per fold)", METRICS[0], METRICS[1], METRICS[2], METRICS[3], METRICS[4], METRICS[5], "cpu ms");
    for (var family : families.entrySet()) {
      heldOut(family.getKey(), family.getValue(), questions, conversations);
    }
    System.exit(0);
  }

  /** Chooses a run per fold on the other conversations, then prints the held-out figures per category. */
  private static void heldOut(String family, List<Run> runs, List<Question> questions, List<String> conversations) {
    Run[] chosen = new Run[conversations.size()];
    for (int f = 0; f < conversations.size(); f++) {
      String held = conversations.get(f);
      double best = Double.NEGATIVE_INFINITY;
      for (Run run : runs) {
        double[] m = mean(run, questions, q -> !q.conversation().equals(held));
        double objective = m[0] + 1e-3 * m[1];
        if (objective > best + 1e-12) {
          best = objective;
          chosen[f] = run;
        }
      }
    }
    Set<String> names = new TreeSet<>();
    double cpu = 0;
    for (Run r : chosen) {
      names.add(r.name());
      cpu += r.cpuMs() / chosen.length;
    }
    List<Integer> categories = new ArrayList<>(new TreeSet<>(questions.stream().map(Question::category).toList()));
    categories.add(0);
    for (int category : categories) {
      // a conversation without questions of the category (conv-30 has no open-domain one) is left out of its row
      List<double[]> perFold = new ArrayList<>();
      for (int f = 0; f < conversations.size(); f++) {
        String held = conversations.get(f);
        java.util.function.Predicate<Question> which =
            q -> q.conversation().equals(held) && (category == 0 || q.category() == category);
        if (questions.stream().anyMatch(which)) {
          perFold.add(mean(chosen[f], questions, which));
        }
      }
      StringBuilder line = new StringBuilder(String.format("%-36s %-12s %-24s", family, category == 0 ? "all"
          : category + " " + CATEGORY[category], category == 0 ? names.size() + " setting(s)" : ""));
      for (int m = 0; m < METRICS.length; m++) {
        double sum = 0;
        double min = 1;
        double max = 0;
        for (double[] fold : perFold) {
          sum += fold[m];
          min = Math.min(min, fold[m]);
          max = Math.max(max, fold[m]);
        }
        line.append(String.format(" %.3f (%.2f-%.2f)", sum / perFold.size(), min, max));
      }
      line.append(category == 0 ? String.format(" %7.2f", cpu) : "");
      System.out.println(line);
    }
    for (int f = 0; f < conversations.size(); f++) {
      System.out.printf("    held out %s: chose %s%n", conversations.get(f), chosen[f].name());
    }
  }

  private static final String[] CATEGORY = {"all", "multi-hop", "temporal", "open-domain", "single-hop"};

  private static double[] mean(Run run, List<Question> questions, java.util.function.Predicate<Question> which) {
    double[] sum = new double[METRICS.length];
    int n = 0;
    for (int i = 0; i < questions.size(); i++) {
      if (which.test(questions.get(i))) {
        for (int m = 0; m < METRICS.length; m++) {
          sum[m] += run.scores()[i][m];
        }
        n++;
      }
    }
    for (int m = 0; m < METRICS.length; m++) {
      sum[m] /= Math.max(1, n);
    }
    return sum;
  }

  private static double[] metrics(List<String> ranked, Set<String> gold) {
    double[] out = new double[METRICS.length];
    int[] ks = {5, 10, 20};
    for (int j = 0; j < ks.length; j++) {
      int hits = LocomoBenchmark.hits(ranked, gold, ks[j]);
      out[j] = hits > 0 ? 1 : 0;
      out[3 + j] = hits / (double) gold.size();
    }
    return out;
  }

  private static String describe(LuceneTuning t) {
    return String.format("w%.2f c%.2f r%d fb%s n%.2f t%.2f bm25 %.1f/%.2f", t.textWeight(), t.contextWeight(),
        t.contextReach(),
        t.feedback().on() ? "on" : "off", t.hints().nameBoost(), t.hints().timeBoost(), t.bm25K1(), t.bm25B());
  }

  private static List<Double> doubles(String csv) {
    List<Double> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      out.add(Double.parseDouble(s));
    }
    return out;
  }

  private interface Searcher {
    Run run(IndexProbe probe, SearchMode mode, LuceneTuning tuning) throws Exception;
  }
}
