package dev.engram.bench;

import dev.engram.embed.EmbedClient;
import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedEmbeddings;
import dev.engram.testkit.Sentences;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The Mem0 API under load over real HTTP: {@code --memories} memories of one user added with infer=false by
 * {@code --callers} concurrent clients ({@code --per-request} messages per POST /memories), then
 * {@code --searches} POST /search requests: adds/s, latency percentiles, and CPU per add / per search.
 *
 * <p>Usage: scripts/bench.sh memories [--memories 100000] [--callers 64] [--per-request 1] [--searches 2000]
 * [--search-callers 2] [--warmup 200] [--add-warmup 0] [--home DIR] [--embeddings local|scripted]
 *
 * <p>{@code --warmup} searches run before the measured ones (the JIT compiler is still busy after a few hundred);
 * {@code --add-warmup} add requests likewise (they add memories too, and are reported on a line of their own).
 * {@code --home} keeps the server's home (database and indexes) in DIR: the first run adds the memories there and
 * later runs with the same DIR skip the add phase and only search (for iterating on search).
 * {@code --embeddings scripted} replaces the in-process model with the scripted OpenAI-compatible embeddings server
 * (random vectors, its CPU counted with the load generator's): what the rest of the path costs without the model.
 * Then the counted adds' texts, and after the searches their queries, are also embedded alone, by as many callers
 * through the server's embedding verticle (the event-bus call an add or search makes, and the server's side of the
 * remote call): the CPU of that, taken from the phase's, is the CPU per add or search excluding the embedding (issue
 * 14 counts them so).
 */
public final class MemoryBenchmark {
  private static final int DIMENSION = 384;

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    int memories = Integer.parseInt(opts.getOrDefault("memories", "100000"));
    int callers = Integer.parseInt(opts.getOrDefault("callers", "64"));
    int perRequest = Integer.parseInt(opts.getOrDefault("per-request", "1"));
    int searches = Integer.parseInt(opts.getOrDefault("searches", "2000"));
    int searchCallers = Integer.parseInt(opts.getOrDefault("search-callers", "2"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "200"));
    int addWarmup = Integer.parseInt(opts.getOrDefault("add-warmup", "0"));
    Path home = opts.containsKey("home") ? Files.createDirectories(Path.of(opts.get("home")))
        : TempHomes.create("engram-memory-bench-");
    Path savedKey = home.resolve("bench-api-key");
    boolean populated = Files.exists(savedKey);
    ResourceMeter meter = new ResourceMeter(home.resolve("pgdata"));
    List<String> texts = Sentences.generate(memories, 42);
    Map<String, String> overrides = "scripted".equals(opts.get("embeddings")) ? scriptedEmbeddings(meter) : Map.of();
    try (TestServer server = TestServer.start(home, overrides)) {
      Api api = server.api;
      EmbedClient embedder = overrides.isEmpty() ? null : new EmbedClient(server.server().vertx());
      String key = populated ? Files.readString(savedKey).strip() : api.newUser().getString("api_key");
      System.out.printf("memory benchmark: %d memories of one user, %d callers, %d per request; %d searches by %d"
          + " callers; %d cores%n", memories, callers, perRequest, searches, searchCallers,
          Runtime.getRuntime().availableProcessors());

      if (populated) {
        System.out.printf("add skipped: the memories of an earlier run are in %s%n", home);
      } else {
        add(api, key, meter, texts, callers, perRequest, addWarmup, embedder);
        Files.writeString(savedKey, key);
      }

      List<String> queries = Sentences.generate(searches, 7);
      run(meter, searchCallers, warmup, i -> ok(search(api, key, queries.get(i % searches))));
      Map<String, Long> threadsBefore = ResourceMeter.threadGroupsCpuNs();
      ResourceMeter.Sample before = meter.sample();
      long started = System.nanoTime();
      long[] latencies = run(meter, searchCallers, searches, i -> ok(search(api, key, queries.get(i))));
      double seconds = (System.nanoTime() - started) / 1e9;
      ResourceMeter.Sample searched = meter.sample().minus(before);
      System.out.printf("search (limit 10)   %d searches in %.1f s: %.0f searches/s; latency %s%n%s%n",
          searches, seconds, searches / seconds, percentiles(latencies),
          searched.perStep(searches).replace("/step", "/search"));
      System.out.printf("cpu/search by thread (ms):%s%n", byThread(threadsBefore, searches));
      if (embedder != null) {
        withoutEmbedding("search", meter, searched, embedder, searchCallers, searches, searches,
            i -> List.of(queries.get(i)));
      }
    }
    System.exit(0); // the scripted LLM's Vert.x instance would keep the JVM alive
  }

  /**
   * The adds, {@code perRequest} memories per request from {@code callers} threads; the first {@code warmupRequests}
   * requests (the JIT's warm-up) are reported apart from the rest, whose figures are then the steady state's. With
   * {@code embedder} (a remote embedding endpoint), the counted requests' texts are then embedded alone through it.
   */
  private static void add(Api api, String key, ResourceMeter meter, List<String> texts, int callers, int perRequest,
      int warmupRequests, EmbedClient embedder) throws Exception {
    int memories = texts.size();
    int requests = (memories + perRequest - 1) / perRequest;
    int warm = Math.max(0, Math.min(requests - 1, warmupRequests));
    Call post = i -> {
      JsonArray messages = new JsonArray();
      for (String text : texts.subList(i * perRequest, Math.min(memories, (i + 1) * perRequest))) {
        messages.add(new JsonObject().put("role", "user").put("content", text));
      }
      ok(api.post("/memories", key, new JsonObject().put("user_id", "bench-user").put("infer", false)
          .put("messages", messages)));
    };
    if (warm > 0) {
      long started = System.nanoTime();
      run(meter, callers, warm, post);
      System.out.printf("add warm-up         %d requests in %.1f s (not counted below)%n", warm,
          (System.nanoTime() - started) / 1e9);
    }
    int counted = Math.min(memories, requests * perRequest) - warm * perRequest;
    ResourceMeter.Sample before = meter.sample();
    long started = System.nanoTime();
    long[] latencies = run(meter, callers, requests - warm, i -> post.call(warm + i));
    double seconds = (System.nanoTime() - started) / 1e9;
    ResourceMeter.Sample adds = meter.sample().minus(before);
    System.out.printf("add (infer=false)   %d memories in %.1f s: %.0f adds/s; request latency %s%n%s%n",
        counted, seconds, counted / seconds, percentiles(latencies), adds.perStep(counted).replace("/step", "/add"));
    if (embedder != null) {
      withoutEmbedding("add", meter, adds, embedder, callers, requests - warm, counted, i -> {
        int from = (warm + i) * perRequest;
        return texts.subList(from, Math.min(memories, from + perRequest));
      });
    }
  }

  /**
   * Embeds the texts of each of the phase's {@code calls} requests alone, by as many callers through the server's
   * embedding verticle (the event-bus call the phase's requests make, and the server's side of the remote call), and
   * prints the phase's CPU per {@code what} (of which it made {@code units}) less that: what issue 14 counts, which
   * excludes the embedding.
   */
  private static void withoutEmbedding(String what, ResourceMeter meter, ResourceMeter.Sample phase,
      EmbedClient embedder, int callers, int calls, int units, IntFunction<List<String>> textsOf) throws Exception {
    ResourceMeter.Sample before = meter.sample();
    run(meter, callers, calls, i -> embedder.embed(textsOf.apply(i)).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS));
    ResourceMeter.Sample embeds = meter.sample().minus(before);
    System.out.printf("embedding alone     the same texts, the same callers, through the server's embedding verticle"
        + "%n%s%n", embeds.perStep(units).replace("/step", "/" + what));
    System.out.printf("cpu/%s without the embedding: server %.3f ms + postgres %.3f ms = %.3f ms%n", what,
        (phase.serverNs() - embeds.serverNs()) / 1e6 / units, (phase.pgCpuNs() - embeds.pgCpuNs()) / 1e6 / units,
        (phase.serverNs() - embeds.serverNs() + phase.pgCpuNs() - embeds.pgCpuNs()) / 1e6 / units);
  }

  private static void ok(Api.Response r) {
    if (r.status() != 200) {
      throw new IllegalStateException("HTTP " + r.status() + ": " + r.body());
    }
  }

  /** CPU per search of each thread group (names with digits removed) since {@code before}, largest first. */
  private static String byThread(Map<String, Long> before, int searches) {
    StringBuilder line = new StringBuilder();
    ResourceMeter.threadGroupsCpuNs().entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> line.append(String.format(" %s=%.3f", e.getKey(), e.getValue() / 1e6 / searches)));
    return line.toString();
  }

  /** Starts the scripted embeddings server on its own Vert.x (counted as a side thread) and points the server at it. */
  static Map<String, String> scriptedEmbeddings(ResourceMeter meter) throws Exception {
    Vertx side = Vertx.vertx();
    ScriptedEmbeddings embeddings = ScriptedEmbeddings.start(side, DIMENSION).toCompletionStage()
        .toCompletableFuture().get(30, TimeUnit.SECONDS).keepRequests(false);
    for (var loop : ((VertxInternal) side).eventLoopGroup()) {
      loop.execute(meter::markSideThread);
    }
    return Map.of("EMBEDDING_BASE_URL", embeddings.baseUrl(), "EMBEDDING_MODEL", "scripted",
        "EMBEDDING_DIM", String.valueOf(DIMENSION));
  }

  private static Api.Response search(Api api, String key, String query) {
    return api.post("/search", key, new JsonObject().put("query", query).put("user_id", "bench-user")
        .put("limit", 10));
  }

  private interface Call {
    void call(int i) throws Exception;
  }

  /** Runs {@code count} calls on {@code callers} threads; answers each call's latency in nanoseconds. */
  private static long[] run(ResourceMeter meter, int callers, int count, Call call) throws Exception {
    long[] latencies = new long[count];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < callers; w++) {
        workers.add(pool.submit(() -> {
          meter.markSideThread();
          for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            long t = System.nanoTime();
            call.call(i);
            latencies[i] = System.nanoTime() - t;
          }
          return null;
        }));
      }
      for (Future<?> f : workers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return latencies;
  }

  private static String percentiles(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", at(sorted, 0.50), at(sorted, 0.90),
        at(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
  }

  private static double at(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }
}
