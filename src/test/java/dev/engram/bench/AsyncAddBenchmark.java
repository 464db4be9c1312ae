package dev.engram.bench;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.Sentences;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mem0's asynchronous add (async_mode) under load over real HTTP, with the scripted model standing in for the LLM
 * (it extracts one fact per message and adds it, after {@code --model-ms}): {@code --callers} clients each add a
 * message with async_mode and then search for it until it is found (its raw message or the fact that replaced it),
 * for {@code --seconds}. Prints the time from the add request to searchable (p50/p99), the add request's latency,
 * adds/s accepted, and, once every extraction has settled, extractions/s and the time from add to settled.
 *
 * <p>Usage: scripts/bench.sh async-adds [--seconds 20] [--callers 8] [--warmup-seconds 3] [--model-ms 0]
 * [--workers 4] (MEMORY_ASYNC_WORKERS: extractions at once per memory verticle instance) [--embeddings local|scripted]
 * [--settle false] (do not wait for the extractions: with a large --model-ms, phase one alone)
 *
 * <p>{@code --embeddings scripted} replaces the in-process embedding model with the scripted OpenAI-compatible
 * embeddings server (random vectors): what the rest of the path costs without the model. The raw message is then
 * found by its exact text only if the query's vector is its own: the scripted server answers the same text with the
 * same vector.
 */
public final class AsyncAddBenchmark {
  private static final String NEW_FACTS = "New facts:\n";

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    int callers = Integer.parseInt(opts.getOrDefault("callers", "8"));
    int warmupSeconds = Integer.parseInt(opts.getOrDefault("warmup-seconds", "3"));
    long modelMs = Long.parseLong(opts.getOrDefault("model-ms", "0"));
    String workers = opts.getOrDefault("workers", "4");
    TestServer.llm().keepRequests(false).fallback(request -> answer(request, modelMs));
    Path home = TempHomes.create("engram-async-bench-");
    Map<String, String> overrides = new HashMap<>(Map.of("MEMORY_ASYNC_WORKERS", workers, "LLM_TIMEOUT_MS", "60000"));
    ResourceMeter meter = new ResourceMeter(home.resolve("pgdata"));
    if ("scripted".equals(opts.get("embeddings"))) {
      overrides.putAll(MemoryBenchmark.scriptedEmbeddings(meter));
    }
    try (TestServer server = TestServer.start(home, overrides)) {
      Api api = server.api;
      String key = api.newUser().getString("api_key");
      System.out.printf("async add benchmark: %d callers add (async_mode) and search until found, %d s (after %d s"
          + " of warm-up); scripted model answering after %d ms; %s extractions at once per memory verticle;"
          + " %d cores%n", callers, seconds, warmupSeconds, modelMs, workers,
          Runtime.getRuntime().availableProcessors());
      List<String> texts = Sentences.generate(200_000, 11);
      AtomicInteger next = new AtomicInteger();
      run(api, key, callers, warmupSeconds, texts, next, new ConcurrentLinkedQueue<>(), meter);
      ResourceMeter.Sample before = meter.sample();
      ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
      long started = System.nanoTime();
      int first = next.get();
      events.addAll(run(api, key, callers, seconds, texts, next, samples, meter));
      double elapsed = (System.nanoTime() - started) / 1e9;
      int adds = next.get() - first;
      long[] searchable = samples.stream().mapToLong(s -> s[0]).toArray();
      long[] answered = samples.stream().mapToLong(s -> s[1]).toArray();
      System.out.printf("add to searchable  %d adds: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%.2f searches per add)%n",
          searchable.length, at(searchable, 0.5), at(searchable, 0.99), at(searchable, 1.0),
          samples.stream().mapToLong(s -> s[2]).average().orElse(0));
      System.out.printf("add request        p50 %.2f ms, p99 %.2f ms; %.0f adds/s accepted%n", at(answered, 0.5),
          at(answered, 0.99), adds / elapsed);
      if (!"false".equals(opts.get("settle"))) {
        settle(api, key, new ArrayList<>(events), started);
        // everything an add costs: phase one, the searches until found, the extraction and the settle (the scripted
        // model's CPU counts as the server's; the callers' threads and scripted embeddings as llm+load)
        System.out.println(meter.sample().minus(before).perStep(adds).replace("/step", "/add"));
      }
    }
    System.exit(0); // the scripted LLM's Vert.x instance would keep the JVM alive
  }

  /** The scripted model: one fact per message of the extraction prompt, and an ADD of each new fact. */
  private static Step answer(JsonObject request, long modelMs) {
    JsonArray messages = request.getJsonArray("messages");
    String prompt = messages.getJsonObject(messages.size() - 1).getString("content");
    int at = prompt.lastIndexOf(NEW_FACTS);
    Step step;
    if (at >= 0) {
      JsonArray decisions = new JsonArray();
      for (Object fact : new JsonArray(prompt.substring(at + NEW_FACTS.length()).strip())) {
        decisions.add(new JsonObject().put("id", "new").put("text", fact).put("event", "ADD"));
      }
      step = Step.text(new JsonObject().put("memory", decisions).encode());
    } else {
      JsonArray facts = new JsonArray();
      for (String line : prompt.split("\n")) {
        if (line.startsWith("user: ")) {
          facts.add("User said: " + line.substring("user: ".length()));
        }
      }
      step = Step.text(new JsonObject().put("facts", facts).encode());
    }
    return modelMs > 0 ? step.after(modelMs) : step;
  }

  /**
   * Each caller adds and searches until found, for {@code seconds}; samples are {time to searchable, add latency,
   * searches} in nanoseconds. Answers the event ids.
   */
  private static List<String> run(Api api, String key, int callers, int seconds, List<String> texts,
      AtomicInteger next, ConcurrentLinkedQueue<long[]> samples, ResourceMeter meter) throws Exception {
    long until = System.nanoTime() + seconds * 1_000_000_000L;
    ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        String user = "bench-" + c;
        workers.add(pool.submit(() -> {
          meter.markSideThread();
          while (System.nanoTime() < until) {
            String text = texts.get(next.getAndIncrement() % texts.size());
            long t0 = System.nanoTime();
            Api.Response added = api.post("/memories", key, new JsonObject().put("user_id", user)
                .put("async_mode", true).put("messages", text));
            long t1 = System.nanoTime();
            if (added.status() != 200) {
              throw new IllegalStateException("HTTP " + added.status() + ": " + added.body());
            }
            events.add(added.json().getJsonArray("results").getJsonObject(0).getString("event_id"));
            long searches = 0;
            boolean found = false;
            while (!found) {
              searches++;
              Api.Response r = api.post("/search", key, new JsonObject().put("query", text).put("user_id", user)
                  .put("limit", 5));
              found = r.json().getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("memory"))
                  .anyMatch(m -> m.equals(text) || m.equals("User said: " + text));
            }
            samples.add(new long[] {System.nanoTime() - t0, t1 - t0, searches});
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
    return List.copyOf(events);
  }

  /** Waits for every measured event to settle; prints extractions/s and the time from add to settled. */
  private static void settle(Api api, String key, List<String> events, long started) throws InterruptedException {
    List<Long> latencies = new ArrayList<>();
    int failed = 0;
    for (String id : events) {
      JsonObject e = api.get("/events/" + id, key).json();
      while (!e.getString("status").equals("SUCCEEDED") && !e.getString("status").equals("FAILED")) {
        Thread.sleep(20);
        e = api.get("/events/" + id, key).json();
      }
      failed += e.getString("status").equals("FAILED") ? 1 : 0;
      latencies.add(e.getLong("latency") * 1_000_000);
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
    System.out.printf("add to settled     %d events (%d FAILED): p50 %.0f ms, p99 %.0f ms; %.0f extractions/s"
        + " (until the last settled)%n", events.size(), failed, at(sorted, 0.5), at(sorted, 0.99),
        events.size() / elapsed);
  }

  private static double at(long[] nanos, double q) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }
}
