package dev.engram.bench;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import dev.engram.testkit.TempHomes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turn-retrieval recall on LoCoMo through the real archival API: every conversation of locomo-dev.json becomes one
 * agent whose archival memory holds one passage per turn ("(session date) speaker: text [shares caption]"), stored
 * in conversation order (the conversations in parallel); each question of categories 1-4 is asked with GET
 * /archival?query= in vector, text (BM25) and hybrid mode, and the top passages' turns are scored against the gold
 * evidence: any@k (a gold turn is in the top k) and frac@k (the share of gold turns in the top k), k = 5 and 10.
 *
 * <p>Usage: scripts/bench.sh locomo [--data ../shared/data/locomo] [--modes vector,text,hybrid]
 */
public final class LocomoBenchmark {
  private static final Pattern SESSION = Pattern.compile("^session_(\\d+)$");

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    Path data = Path.of(opts.getOrDefault("data", "../shared/data/locomo"));
    List<String> modes = List.of(opts.getOrDefault("modes", "vector,text,hybrid").split(","));
    JsonArray conversations = new JsonArray(Files.readString(data.resolve("locomo-dev.json")));
    List<JsonObject> questions = new ArrayList<>();
    for (String line : Files.readAllLines(data.resolve("locomo-dev-qa.jsonl"))) {
      JsonObject q = new JsonObject(line);
      if (q.getInteger("category") <= 4 && !q.getJsonArray("evidence").isEmpty()) {
        questions.add(q);
      }
    }

    try (TestServer server = TestServer.start(TempHomes.create("engram-locomo-"), Map.of())) {
      Api api = server.api;
      String key = api.newUser().getString("api_key");
      Map<String, String> agentOf = new HashMap<>();
      Map<String, String> turnOf = new HashMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      long started = System.nanoTime();
      int turns = 0;
      // each conversation is stored in order, as an agent stores what it hears; the conversations in parallel
      List<Future<?>> inserts = new ArrayList<>();
      for (Object o : conversations) {
        JsonObject sample = (JsonObject) o;
        String agent = api.newAgent(key, "locomo-" + sample.getString("sample_id"));
        agentOf.put(sample.getString("sample_id"), agent);
        Map<String, String> passages = passages(sample.getJsonObject("conversation"));
        turns += passages.size();
        inserts.add(pool.submit(() -> {
          for (Map.Entry<String, String> turn : passages.entrySet()) {
            Api.Response r = api.post("/api/agents/" + agent + "/archival", key,
                new JsonObject().put("content", turn.getValue()));
            if (r.status() != 200) {
              throw new IllegalStateException(r.body());
            }
            synchronized (turnOf) {
              turnOf.put(r.json().getJsonArray("ids").getString(0), turn.getKey());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : inserts) {
        f.get();
      }
      double insertSeconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("indexed %d turns of %d conversations in %.1f s (%.0f passages/s over HTTP)%n", turns,
          agentOf.size(), insertSeconds, turns / insertSeconds);
      System.out.printf("questions (categories 1-4 with evidence): %d%n%n", questions.size());
      System.out.printf("%-7s %7s %7s %7s %7s %10s%n", "mode", "any@5", "any@10", "frac@5", "frac@10", "p50 ms");
      for (String mode : modes) {
        score(api, key, mode, questions, agentOf, turnOf, pool);
      }
      pool.shutdown();
    }
    System.exit(0);
  }

  /** dia_id to passage text, in conversation order. */
  static Map<String, String> passages(JsonObject conversation) {
    Map<Integer, String> sessions = new java.util.TreeMap<>();
    for (String field : conversation.fieldNames()) {
      Matcher m = SESSION.matcher(field);
      if (m.matches()) {
        sessions.put(Integer.parseInt(m.group(1)), field);
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String field : sessions.values()) {
      String date = conversation.getString(field + "_date_time");
      for (Object t : conversation.getJsonArray(field)) {
        JsonObject turn = (JsonObject) t;
        String caption = turn.getString("blip_caption");
        out.put(turn.getString("dia_id"), "(" + date + ") " + turn.getString("speaker") + ": " + turn.getString("text")
            + (caption == null ? "" : " [shares " + caption + "]"));
      }
    }
    return out;
  }

  private static void score(Api api, String key, String mode, List<JsonObject> questions,
      Map<String, String> agentOf, Map<String, String> turnOf, ExecutorService pool) throws Exception {
    List<Future<double[]>> results = new ArrayList<>();
    for (JsonObject q : questions) {
      results.add(pool.submit(() -> {
        String agent = agentOf.get(q.getString("sample_id"));
        long t0 = System.nanoTime();
        Api.Response r = api.get("/api/agents/" + agent + "/archival?limit=10&mode=" + mode + "&query="
            + URLEncoder.encode(q.getString("question"), StandardCharsets.UTF_8), key);
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.status() != 200) {
          throw new IllegalStateException(r.body());
        }
        List<String> ranked = new ArrayList<>();
        for (Object o : r.json().getJsonArray("archival_memory")) {
          ranked.add(turnOf.get(((JsonObject) o).getString("id")));
        }
        Set<String> gold = new HashSet<>();
        q.getJsonArray("evidence").forEach(e -> gold.add(String.valueOf(e)));
        return new double[] {hits(ranked, gold, 5) > 0 ? 1 : 0, hits(ranked, gold, 10) > 0 ? 1 : 0,
            hits(ranked, gold, 5) / (double) gold.size(), hits(ranked, gold, 10) / (double) gold.size(), ms};
      }));
    }
    double[] sums = new double[4];
    List<Double> latencies = new ArrayList<>();
    for (Future<double[]> f : results) {
      double[] v = f.get();
      for (int i = 0; i < 4; i++) {
        sums[i] += v[i];
      }
      latencies.add(v[4]);
    }
    latencies.sort(null);
    int n = questions.size();
    System.out.printf("%-7s %7.3f %7.3f %7.3f %7.3f %10.1f%n", mode, sums[0] / n, sums[1] / n, sums[2] / n,
        sums[3] / n, latencies.get(latencies.size() / 2));
  }

  /** How many of the first {@code k} ranked turns are gold evidence. */
  static int hits(List<String> ranked, Set<String> gold, int k) {
    int n = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (gold.contains(ranked.get(i))) {
        n++;
      }
    }
    return n;
  }
}
