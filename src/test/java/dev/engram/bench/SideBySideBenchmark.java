package dev.engram.bench;

import dev.engram.testkit.Api;
import dev.engram.testkit.ExactRecall;
import dev.engram.testkit.ScriptedEmbeddings;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TemplateMemories;
import dev.engram.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The side-by-side comparison of issue 14, repeatable by anyone: {@code --memories} adds (infer=false, one memory per
 * POST /memories) then {@code --searches} POST /search with limit 10, from one sequential client, against an
 * in-process Engram whose embeddings come from one OpenAI-compatible {@code /embeddings} endpoint. The memories are
 * near-duplicate-heavy first-person sentences from 14 templates ({@link TemplateMemories}). Prints adds/s, add and
 * search p50/p99 and recall@10 against an exact scan of the same vectors (fetched from the endpoint), and Mem0's
 * figures from the issue as the reference. {@code --search-warmup} first runs that many searches of other queries,
 * not counted, so that the measured ones find the search path compiled and the adds' merges done (0 by default, as in
 * the runs).
 *
 * <p>By default the benchmark serves the endpoint itself ({@link TemplateMemories#embedding}, deterministic, 384
 * dimensions) on loopback and prints its address: point Mem0 at the same address to run the other side.
 * {@code --embeddings-url} uses another endpoint instead (its vectors are then the ground truth).
 *
 * <p>Usage: scripts/bench.sh side-by-side [--memories 2000] [--searches 500] [--search-warmup 0] [--dim 384]
 * [--embeddings-url http://127.0.0.1:PORT/v1] [--embeddings-model NAME] [--seed 42]
 */
public final class SideBySideBenchmark {
  private static final String USER = "bench-user";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchArgs.parse(args);
    int n = Integer.parseInt(o.getOrDefault("memories", "2000"));
    int searches = Integer.parseInt(o.getOrDefault("searches", "500"));
    int warmup = Integer.parseInt(o.getOrDefault("search-warmup", "0"));
    int dim = Integer.parseInt(o.getOrDefault("dim", "384"));
    long seed = Long.parseLong(o.getOrDefault("seed", "42"));
    String model = o.getOrDefault("embeddings-model", "template-bag-of-words");
    Vertx side = null;
    String url = o.get("embeddings-url");
    if (url == null) {
      side = Vertx.vertx();
      url = ScriptedEmbeddings.start(side, dim).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)
          .keepRequests(false).vectors(TemplateMemories::embedding).baseUrl();
    }
    List<String> texts = TemplateMemories.sentences(n, seed);
    List<String> queries = TemplateMemories.sentences(searches, seed + 1_000_003);
    List<String> warmQueries = TemplateMemories.sentences(warmup, seed + 2_000_003);
    System.out.printf("side by side (issue 14): %,d adds (infer=false) then %d searches (limit 10) from one"
        + " sequential client; embeddings from %s (%s, %d dim); %d cores%n", n, searches, url, model, dim,
        Runtime.getRuntime().availableProcessors());

    Map<String, String> settings = Map.of("EMBEDDING_BASE_URL", url, "EMBEDDING_MODEL", model,
        "EMBEDDING_DIM", String.valueOf(dim));
    long[] adds = new long[n];
    long[] found = new long[searches];
    List<List<String>> answers = new ArrayList<>();
    double addSeconds;
    try (TestServer server = TestServer.start(TempHomes.create("engram-side-by-side-"), settings)) {
      Api api = server.api;
      String key = api.newUser().getString("api_key");
      long started = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        ok(api.post("/memories", key, new JsonObject().put("user_id", USER).put("infer", false)
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", texts.get(i))))));
        adds[i] = System.nanoTime() - t;
      }
      addSeconds = (System.nanoTime() - started) / 1e9;
      for (String query : warmQueries) {
        search(api, key, query);
      }
      for (int i = 0; i < searches; i++) {
        long t = System.nanoTime();
        Api.Response r = search(api, key, queries.get(i));
        found[i] = System.nanoTime() - t;
        answers.add(r.json().getJsonArray("results").stream().map(h -> ((JsonObject) h).getString("memory"))
            .toList());
      }
    }

    System.out.println("exact scan for the recall (the vectors fetched from the endpoint)...");
    List<float[]> corpus = embed(url, model, texts);
    List<float[]> queryVectors = embed(url, model, queries);
    Map<String, float[]> byText = new HashMap<>();
    for (int i = 0; i < n; i++) {
      byText.put(texts.get(i), corpus.get(i));
    }
    double recall = IntStream.range(0, searches).parallel().mapToDouble(i -> ExactRecall.recall(queryVectors.get(i),
        corpus, answers.get(i).stream().map(byText::get).toList(), 10)).average().orElse(1);

    int quarter = Math.max(1, n / 4);
    System.out.printf("%nEngram   %,d memories: %.0f adds/s; add p50 %.2f ms, p99 %.2f ms (first quarter p50 %.2f ms,"
        + " last quarter p50 %.2f ms)%n", n, n / addSeconds, pct(adds, 0.5), pct(adds, 0.99),
        pct(Arrays.copyOfRange(adds, 0, quarter), 0.5), pct(Arrays.copyOfRange(adds, n - quarter, n), 0.5));
    String warm = warmup == 0 ? "" : String.format(" (after %,d searches not counted)", warmup);
    System.out.printf("         search p50 %.2f ms, p99 %.2f ms%s; recall@10 against an exact scan %.4f%n",
        pct(found, 0.5), pct(found, 0.99), warm, recall);
    System.out.println("""

        Mem0 reference (issue 14: npm mem0ai 2.4.6, its Memory class in one Node process, in-memory vector store,
        SQLite history, the same protocol and machine; the issue counts its answers as exact):
          N        Mem0 adds/s   Mem0 search p50
          2,000    450           58 ms
          10,000   385           291 ms
          50,000   446           1,599 ms""");
    if (side != null) {
      side.close();
    }
    System.exit(0);
  }

  private static Api.Response search(Api api, String key, String query) {
    return ok(api.post("/search", key, new JsonObject().put("query", query).put("user_id", USER).put("limit", 10)
        .put("mode", "vector"))); // similarity alone, as Mem0 ranks
  }

  private static Api.Response ok(Api.Response r) {
    if (r.status() != 200) {
      throw new IllegalStateException("HTTP " + r.status() + ": " + r.body());
    }
    return r;
  }

  /** The unit vectors the endpoint answers for the texts, asked 256 at a time. */
  private static List<float[]> embed(String url, String model, List<String> texts) throws Exception {
    List<float[]> out = new ArrayList<>(texts.size());
    for (int from = 0; from < texts.size(); from += 256) {
      List<String> batch = texts.subList(from, Math.min(texts.size(), from + 256));
      HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/embeddings"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("model", model)
              .put("input", new JsonArray(new ArrayList<>(batch))).encode())).build();
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("embeddings: HTTP " + response.statusCode() + ": " + response.body());
      }
      float[][] vectors = new float[batch.size()][];
      for (Object item : new JsonObject(response.body()).getJsonArray("data")) {
        JsonObject d = (JsonObject) item;
        JsonArray e = d.getJsonArray("embedding");
        float[] v = new float[e.size()];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
          v[i] = e.getNumber(i).floatValue();
          norm += v[i] * v[i];
        }
        for (int i = 0; i < v.length; i++) {
          v[i] /= (float) Math.sqrt(norm);
        }
        vectors[d.getInteger("index")] = v;
      }
      out.addAll(Arrays.asList(vectors));
    }
    return out;
  }

  private static double pct(long[] nanos, double q) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }
}
