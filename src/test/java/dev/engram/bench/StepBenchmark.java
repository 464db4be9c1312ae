package dev.engram.bench;

import dev.engram.EngramServer;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.TempHomes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Step throughput and latency of the full path: HTTP send with stream=true, agent step, scripted LLM over HTTP with no
 * delay, both PostgreSQL commits, SSE events, [DONE]. Latency is measured from sending the request to reading
 * [DONE]. After a warm-up, two phases over N agents: open loop at a fixed offered rate (latency at that load), then
 * closed loop with one outstanding send per agent (saturation throughput). Everything runs in this one JVM on this
 * machine; each phase also reports CPU and allocation per step ({@link ResourceMeter}), which a busy machine disturbs
 * far less than latency.
 *
 * <p>{@code --api v1} sends the same load through Letta's {@code POST /v1/agents/{id}/messages} with
 * {@code "streaming": true} (pings off, as the latency is read at [DONE]), then measures time to first token with
 * {@code stream_tokens}: from the scripted model writing its streamed answer to the client reading the first
 * fragment, i.e. the server's overhead over the model's first chunk (one agent, one send at a time).
 *
 * <p>{@code --conversations N} sends the same load to N conversations of one agent instead of N agents, streamed
 * through Letta's {@code POST /v1/conversations/{id}/messages} (implies {@code --api v1}; all threads of one agent live
 * on one agent shard).
 *
 * <p>Usage: scripts/bench.sh steps [--agents 64] [--rate 1000] [--seconds 20] [--warmup 30] [--api api|v1]
 *   [--ttft-sends 500] [--conversations 64]
 */
public final class StepBenchmark {
  /** -Dbench.threads=true: also print CPU per step by thread name (GC, JIT, event loops). */
  private static final boolean THREADS = Boolean.getBoolean("bench.threads");
  private static Map<String, Long> lastThreads = Map.of();
  /** Which API the sends go through: {@code api} (MemGPT's /api SSE) or {@code v1} (Letta's SSE). */
  private static String api = "api";
  /** Whether the ids sent to are conversations of one agent (sent through /v1/conversations). */
  private static boolean conversations;

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    int agents = Integer.parseInt(opts.getOrDefault("agents", "64"));
    int rate = Integer.parseInt(opts.getOrDefault("rate", "1000"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "30"));
    api = opts.getOrDefault("api", "api");
    if (!api.equals("api") && !api.equals("v1")) {
      throw new IllegalArgumentException("--api takes api or v1, got " + api);
    }
    int ttftSends = Integer.parseInt(opts.getOrDefault("ttft-sends", "500"));
    int threads = Integer.parseInt(opts.getOrDefault("conversations", "0"));
    if (threads > 0) {
      conversations = true;
      api = "v1";
      agents = threads;
    }

    Path home = TempHomes.create("engram-bench-");
    ResourceMeter meter = new ResourceMeter(home.resolve("pgdata"));
    Vertx side = Vertx.vertx();
    ScriptedLlm llm = await(ScriptedLlm.start(side));
    llm.fallbackIgnoringRequest(() -> ScriptedLlm.Step.sendMessage("Thinking briefly.", "Hello from the benchmark."));
    llm.keepRequests(false);
    for (var loop : ((VertxInternal) side).eventLoopGroup()) {
      loop.execute(meter::markSideThread);
    }
    try (EngramServer server = BenchServer.start(home, llm.baseUrl())) {
      HttpClientAgent http = side.createHttpClient(new HttpClientOptions().setDefaultPort(server.port())
          .setDefaultHost("localhost").setKeepAlive(true), new PoolOptions().setHttp1MaxSize(agents * 2));
      List<String> ids = new ArrayList<>();
      String shared = conversations ? await(createAgent(http, "bench-conversations")) : null;
      for (int i = 0; i < agents; i++) {
        ids.add(await(conversations ? createConversation(http, shared) : createAgent(http, "bench-" + i)));
      }
      System.out.printf("api=%s %s=%d offered_rate=%d/s warmup=%ds measure=%ds (server, LLM and load in one JVM,"
          + " %d cores)%n", api, conversations ? "conversations (of one agent)" : "agents", agents, rate, warmup,
          seconds, Runtime.getRuntime().availableProcessors());
      // warm-up: fill the contexts at full speed, then run the open loop's traffic shape, which the JIT has to adapt
      // its compiled code to once more (types seen at call sites change), before anything is measured
      ResourceMeter.Sample before = meter.sample();
      int warmClosed = Math.max(1, warmup * 2 / 3);
      report("warm-up, closed loop", closedLoop(side, http, ids, warmClosed), warmClosed, meter, before);
      before = meter.sample();
      int warmOpen = Math.max(1, warmup - warmClosed);
      report("warm-up, open loop @" + rate + "/s", openLoop(side, http, ids, rate, warmOpen).latencyNs(),
          warmOpen, meter, before);
      awaitQuietJit();
      StallReport stalls = new StallReport();
      before = meter.sample();
      OpenLoop measured = openLoop(side, http, ids, rate, seconds);
      String stallLine = stalls.describe(measured.sentNs(), measured.latencyNs(), 15);
      stalls.close();
      report("open loop @" + rate + "/s", measured.latencyNs(), seconds, meter, before);
      System.out.printf("%-38s %s%n", "", stallLine);
      before = meter.sample();
      report("closed loop (1 in flight per agent)", closedLoop(side, http, ids, seconds), seconds, meter,
          before);
      if (api.equals("v1")) {
        timeToFirstToken(http, llm, ids.get(0), ttftSends);
      }
      await(http.close());
    } finally {
      await(side.close());
    }
    System.exit(0);
  }

  /**
   * Waits (up to 60 s) until the JIT compilers have worked through their queue: under full load they fall behind, and
   * their catching up would otherwise be billed to the first measured phase.
   */
  private static void awaitQuietJit() throws InterruptedException {
    var jit = ManagementFactory.getCompilationMXBean();
    long start = System.nanoTime();
    long last = jit.getTotalCompilationTime();
    int quiet = 0;
    while (quiet < 4 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
      Thread.sleep(250);
      long now = jit.getTotalCompilationTime();
      quiet = now - last < 10 ? quiet + 1 : 0;
      last = now;
    }
    System.out.printf("(waited %.1f s for the JIT compilers to settle)%n", (System.nanoTime() - start) / 1e9);
  }

  private static Future<String> createAgent(HttpClientAgent http, String name) {
    JsonObject body = new JsonObject().put("config", new JsonObject().put("name", name));
    return request(http, "/api/agents", body).map(b -> b.toJsonObject().getJsonObject("agent_state")
        .getString("id"));
  }

  /** A conversation of the agent; answers its id ({@code conv-<uuid>}). */
  private static Future<String> createConversation(HttpClientAgent http, String agentId) {
    return request(http, "/v1/conversations/?agent_id=agent-" + agentId, new JsonObject())
        .map(b -> b.toJsonObject().getString("id"));
  }

  /** Where a v1 send to {@code id} goes: the agent's messages, or the conversation's. */
  private static String v1Path(String id) {
    return conversations ? "/v1/conversations/" + id + "/messages" : "/v1/agents/agent-" + id + "/messages";
  }

  private static Future<Buffer> request(HttpClientAgent http, String path, JsonObject body) {
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
            .putHeader("authorization", "Bearer bench").putHeader("content-type", "application/json"))
        .compose(req -> req.send(body.encode()))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200
            ? Future.succeededFuture(b) : Future.failedFuture(resp.statusCode() + " " + b)));
  }

  /** One streamed send; completes with its latency in nanoseconds, after checking the stream ended with [DONE]. */
  private static Future<Long> send(HttpClientAgent http, String agentId) {
    long start = System.nanoTime();
    Future<Buffer> answer = api.equals("v1")
        ? request(http, v1Path(agentId), v1Body(false))
        : request(http, "/api/agents/" + agentId + "/messages",
            new JsonObject().put("message", "What is the meaning of life?").put("stream", true));
    return answer.compose(b -> b.toString()
        .endsWith("data: [DONE]\n\n") ? Future.succeededFuture(System.nanoTime() - start)
        : Future.failedFuture("stream did not end with [DONE]: " + b));
  }

  private static JsonObject v1Body(boolean tokens) {
    return new JsonObject().put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject()
        .put("role", "user").put("content", "What is the meaning of life?"))).put("streaming", true)
        .put("include_pings", false).put("stream_tokens", tokens);
  }

  /**
   * Time to first token: {@code sends} token-streamed sends one after another; each measures from the scripted model
   * writing its answer (its first chunk) to the client reading the first fragment frame.
   */
  private static void timeToFirstToken(HttpClientAgent http, ScriptedLlm llm, String agentId, int sends)
      throws Exception {
    long[] firstChunk = new long[1];
    llm.onFirstChunk(ns -> firstChunk[0] = ns);
    long[] overhead = new long[sends];
    for (int i = 0; i < sends; i++) {
      Promise<Long> first = Promise.promise();
      await(http.request(new RequestOptions().setMethod(HttpMethod.POST)
              .setURI(v1Path(agentId)).putHeader("authorization", "Bearer bench")
              .putHeader("content-type", "application/json"))
          .compose(req -> req.send(v1Body(true).encode()))
          .compose(resp -> {
            resp.handler(chunk -> {
              if (!first.future().isComplete() && chunk.toString().contains("\"message_type\"")) {
                first.complete(System.nanoTime());
              }
            });
            return resp.end();
          }));
      overhead[i] = first.future().result() - firstChunk[0];
    }
    llm.onFirstChunk(null);
    Arrays.sort(overhead);
    System.out.printf("%-38s sends=%d p50=%.3f ms p90=%.3f ms p99=%.3f ms max=%.3f ms%n",
        "time to first token (server overhead)", sends, pct(overhead, 0.50), pct(overhead, 0.90),
        pct(overhead, 0.99), overhead[sends - 1] / 1e6);
  }

  private static long[] closedLoop(Vertx vertx, HttpClientAgent http, List<String> ids, int seconds)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Long> latencies = new ArrayList<>();
    List<Future<Void>> loops = new ArrayList<>();
    for (String id : ids) {
      Promise<Void> done = Promise.promise();
      vertx.runOnContext(v -> loop(http, id, end, latencies, done));
      loops.add(done.future());
    }
    await(Future.all(loops));
    synchronized (latencies) {
      return latencies.stream().mapToLong(Long::longValue).toArray();
    }
  }

  private static void loop(HttpClientAgent http, String id, long end, List<Long> latencies, Promise<Void> done) {
    if (System.nanoTime() >= end) {
      done.complete();
      return;
    }
    send(http, id).onSuccess(ns -> {
      synchronized (latencies) {
        latencies.add(ns);
      }
      loop(http, id, end, latencies, done);
    }).onFailure(done::fail);
  }

  /** What an open loop measured: when each request was sent and how long it took (nanoseconds). */
  private record OpenLoop(long[] sentNs, long[] latencyNs) {}

  private static OpenLoop openLoop(Vertx vertx, HttpClientAgent http, List<String> ids, int rate, int seconds)
      throws Exception {
    int total = rate * seconds;
    long[] latencies = new long[total];
    long[] sentAt = new long[total];
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Promise<Void> all = Promise.promise();
    long startNs = System.nanoTime();
    long tickMs = 5;
    vertx.setPeriodic(tickMs, timer -> {
      long due = Math.min(total, (System.nanoTime() - startNs) * rate / 1_000_000_000L);
      while (sent.get() < due) {
        int n = sent.getAndIncrement();
        sentAt[n] = System.nanoTime();
        send(http, ids.get(n % ids.size())).onComplete(ar -> {
          if (ar.failed()) {
            all.tryFail(ar.cause());
            return;
          }
          latencies[n] = ar.result();
          if (finished.incrementAndGet() == total) {
            all.tryComplete();
          }
        });
      }
      if (sent.get() >= total) {
        vertx.cancelTimer(timer);
      }
    });
    await(all.future());
    return new OpenLoop(sentAt, latencies.clone());
  }

  private static void report(String phase, long[] ns, int seconds, ResourceMeter meter,
      ResourceMeter.Sample before) {
    ResourceMeter.Sample used = meter.sample().minus(before);
    if (THREADS) {
      Map<String, Long> now = ResourceMeter.threadGroupsCpuNs();
      StringBuilder line = new StringBuilder();
      now.entrySet().stream()
          .map(e -> Map.entry(e.getKey(), e.getValue() - lastThreads.getOrDefault(e.getKey(), 0L)))
          .filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> line.append(String.format(" %s=%.3f", e.getKey(), e.getValue() / 1e6 / ns.length)));
      lastThreads = now;
      System.out.printf("%-38s cpu/step by thread (ms):%s%n", "", line);
    }
    Arrays.sort(ns);
    System.out.printf("%-38s steps=%d throughput=%.0f steps/s p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n",
        phase, ns.length, ns.length / (double) seconds, pct(ns, 0.50), pct(ns, 0.90), pct(ns, 0.99),
        ns[ns.length - 1] / 1e6);
    System.out.printf("%-38s %s%n", "", used.perStep(ns.length));
  }

  private static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
