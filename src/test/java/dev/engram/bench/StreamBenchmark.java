package dev.engram.bench;

import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.TempHomes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams at scale: {@code --ws} WebSocket clients ({@code GET /api/agents/{id}/ws}) and {@code --sse} SSE clients
 * (each its own keep-alive connection, streaming {@code POST /api/agents/{id}/messages} with {@code stream: true}),
 * spread over {@code --agents} agents of one node, all connected at once over loopback; then steps at {@code --rate}
 * per second for {@code --warmup} seconds (not counted), then for {@code --seconds}, each sent by the next client in turn, whose events come back on its stream.
 * The server runs as its own JVM ({@link ServerProcess}, as scripts/run.sh starts it); the scripted model and the
 * clients run in this one, so each side needs one file descriptor per client (10,000 clients fit under a
 * {@code ulimit -n} of 20,000 on each side). Prints the connections (client side, the server's gauge and open files),
 * the server's heap after a full GC before and after connecting and at the end (asked with {@code jcmd}), its
 * resident memory and CPU per step, and the event delivery latency (from the event's {@code date}, set when the
 * server creates the message, to the client reading it; millisecond resolution) and the send-to-done latency at
 * p50/p99.
 *
 * <p>Usage: scripts/bench.sh streams [--ws 5000] [--sse 5000] [--agents 500] [--rate 500] [--seconds 20]
 * [--connect-batch 200] [--warmup 10] [--java-opts "-Xmx1g ..."]
 */
public final class StreamBenchmark {
  private static final String MESSAGE = new JsonObject().put("message", "How are you today?").encode();

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchArgs.parse(args);
    int wsClients = Integer.parseInt(o.getOrDefault("ws", "5000"));
    int sseClients = Integer.parseInt(o.getOrDefault("sse", "5000"));
    int agents = Integer.parseInt(o.getOrDefault("agents", "500"));
    int rate = Integer.parseInt(o.getOrDefault("rate", "500"));
    int seconds = Integer.parseInt(o.getOrDefault("seconds", "20"));
    int batch = Integer.parseInt(o.getOrDefault("connect-batch", "200"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "10"));
    System.out.printf("streams at scale: %,d WebSocket + %,d SSE clients over %d agents, %d steps/s for %d s"
        + " (the server in its own JVM; the scripted LLM and the clients in this one; %d cores)%n", wsClients,
        sseClients, agents, rate, seconds, Runtime.getRuntime().availableProcessors());

    Vertx side = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    ScriptedLlm llm = await(ScriptedLlm.start(side));
    llm.fallbackIgnoringRequest(() -> ScriptedLlm.Step.sendMessage("Thinking briefly.", "Fine, thanks."));
    llm.keepRequests(false);
    ServerProcess server = ServerProcess.launch(TempHomes.create("engram-streams-bench-"), llm.baseUrl(),
        o.getOrDefault("java-opts", ""), Map.of());
    try {
      System.out.printf("server ready in %.1f s (pid %d)%n", server.awaitReady() / 1e9, server.pid());
      int port = server.port;
      HttpClientAgent admin = side.createHttpClient(new HttpClientOptions().setDefaultPort(port)
          .setDefaultHost("localhost"), new PoolOptions().setHttp1MaxSize(16));
      List<String> agentIds = new ArrayList<>();
      for (int i = 0; i < agents; i++) {
        agentIds.add(await(post(admin, "/api/agents", new JsonObject().put("config", new JsonObject()
            .put("name", "streams-" + i)).encode())).toJsonObject().getJsonObject("agent_state").getString("id"));
      }
      long heapBefore = server.heapAfterGc();
      long clientHeapBefore = heapAfterGc();

      Stats stats = new Stats();
      WebSocketClient wsc = side.createWebSocketClient(new WebSocketClientOptions().setDefaultPort(port)
          .setDefaultHost("localhost").setMaxConnections(wsClients + 1).setConnectTimeout(60_000));
      List<Client> clients = new ArrayList<>();
      long connectStart = System.nanoTime();
      for (int from = 0; from < wsClients; from += batch) {
        List<Future<Client>> connecting = new ArrayList<>();
        for (int i = from; i < Math.min(wsClients, from + batch); i++) {
          String agent = agentIds.get(i % agents);
          connecting.add(wsc.connect(new WebSocketConnectOptions().setURI("/api/agents/" + agent + "/ws")
              .addHeader("authorization", "Bearer bench")).map(ws -> new SocketClient(ws, stats)));
        }
        clients.addAll(await(Future.all(connecting)).list());
      }
      for (int from = 0; from < sseClients; from += batch) {
        List<Future<Client>> connecting = new ArrayList<>();
        for (int i = from; i < Math.min(sseClients, from + batch); i++) {
          String agent = agentIds.get((wsClients + i) % agents);
          HttpClientAgent own = side.createHttpClient(new HttpClientOptions().setDefaultPort(port)
              .setDefaultHost("localhost").setKeepAlive(true).setKeepAliveTimeout(3600),
              new PoolOptions().setHttp1MaxSize(1));
          // a first request opens the client's connection, which it keeps
          connecting.add(get(own, "/api/agents/" + agent + "/config").map(b -> new SseClient(own, agent, stats)));
        }
        clients.addAll(await(Future.all(connecting)).list());
      }
      double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
      long heapConnected = server.heapAfterGc();
      long clientHeapConnected = heapAfterGc();
      System.out.printf("connected %,d clients in %.1f s; server: %s, %,d open files%n", clients.size(),
          connectSeconds, streamGauges(admin), server.openFiles());
      System.out.printf("server heap after GC: %,d MiB before connecting, %,d MiB connected (%.1f KiB per"
          + " connection); resident %,d MiB; the clients' heap (this JVM) %.1f KiB per client%n", heapBefore >> 20,
          heapConnected >> 20, clients.isEmpty() ? 0 : (heapConnected - heapBefore) / 1024.0 / clients.size(),
          server.residentBytes() >> 20, clients.isEmpty() ? 0
              : (clientHeapConnected - clientHeapBefore) / 1024.0 / clients.size());
      if (warmup > 0) {
        runSteps(side, clients, stats, rate, warmup);
        System.out.printf("warm-up: %,d steps in %d s, send to done p50 %.1f ms%n", rate * warmup, warmup,
            stats.done(0.5));
        stats.reset();
      }
      long cpuBefore = server.cpuNanos();
      int total = rate * seconds;
      double ran = runSteps(side, clients, stats, rate, seconds);
      long cpu = server.cpuNanos() - cpuBefore;
      long heapRunning = server.heapAfterGc();
      System.out.printf("%,d steps in %.1f s (%.0f/s); %,d events delivered, %d failed sends; server CPU %.2f ms"
          + " per step%n", total, ran, total / ran, stats.events.get(), stats.failures.get(), cpu / 1e6 / total);
      System.out.printf("event delivery (event date to client): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          stats.delivery(0.5), stats.delivery(0.99), stats.delivery(1.0));
      System.out.printf("send to done: p50 %.1f ms, p99 %.1f ms; server heap after GC at the end %,d MiB; server"
          + " gauges: %s%n", stats.done(0.5), stats.done(0.99), heapRunning >> 20, streamGauges(admin));
    } finally {
      server.close();
      side.close();
    }
    System.exit(0);
  }

  /** Steps at {@code rate} per second for {@code seconds}, each sent by the next client in turn; answers the seconds
   * until the last one was done. */
  private static double runSteps(Vertx side, List<Client> clients, Stats stats, int rate, int seconds)
      throws Exception {
    int total = rate * seconds;
    AtomicInteger sent = new AtomicInteger();
    Promise<Void> finished = Promise.promise();
    stats.expect(total, finished);
    long start = System.nanoTime();
    side.setPeriodic(5, timer -> {
      long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L);
      while (sent.get() < due) {
        clients.get(sent.getAndIncrement() % clients.size()).send();
      }
      if (sent.get() >= total) {
        side.cancelTimer(timer);
      }
    });
    await(finished.future(), seconds + 120);
    return (System.nanoTime() - start) / 1e9;
  }

  private interface Client {
    void send();
  }

  /** A WebSocket client: sends a frame; its sends are answered in order, each ending with {"done": true}. */
  private static final class SocketClient implements Client {
    private final WebSocket ws;
    private final Queue<Long> pending = new ConcurrentLinkedQueue<>();

    SocketClient(WebSocket ws, Stats stats) {
      this.ws = ws;
      ws.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        if (frame.containsKey("done") || frame.containsKey("error")) {
          Long sentAt = pending.poll();
          stats.finished(sentAt == null ? 0 : System.nanoTime() - sentAt, frame.containsKey("error"));
        } else {
          stats.event(frame);
        }
      });
    }

    @Override
    public void send() {
      pending.add(System.nanoTime());
      ws.writeTextMessage(MESSAGE);
    }
  }

  /** An SSE client: its own connection; each send is a streamed POST whose events arrive as data lines. */
  private static final class SseClient implements Client {
    private final HttpClientAgent http;
    private final String agent;
    private final Stats stats;

    SseClient(HttpClientAgent http, String agent, Stats stats) {
      this.http = http;
      this.agent = agent;
      this.stats = stats;
    }

    @Override
    public void send() {
      long sentAt = System.nanoTime();
      StringBuilder pendingText = new StringBuilder();
      http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/api/agents/" + agent + "/messages")
              .putHeader("authorization", "Bearer bench").putHeader("content-type", "application/json"))
          .compose(req -> req.send(new JsonObject(MESSAGE).put("stream", true).encode()))
          .compose(resp -> {
            resp.handler(chunk -> {
              pendingText.append(chunk.toString());
              int end;
              while ((end = pendingText.indexOf("\n\n")) >= 0) {
                String event = pendingText.substring(0, end);
                pendingText.delete(0, end + 2);
                if (event.startsWith("data: {")) {
                  stats.event(new JsonObject(event.substring(6)));
                }
              }
            });
            return resp.end().map(v -> resp.statusCode());
          })
          .onComplete(ar -> stats.finished(System.nanoTime() - sentAt, ar.failed() || ar.result() != 200));
    }
  }

  /** Latencies gathered on the clients' event loops. */
  private static final class Stats {
    private final List<Long> deliveryMicros = new ArrayList<>();
    private final List<Long> doneNanos = new ArrayList<>();
    final AtomicLong events = new AtomicLong();
    final AtomicInteger failures = new AtomicInteger();
    private int expected;
    private Promise<Void> allDone;

    synchronized void reset() {
      deliveryMicros.clear();
      doneNanos.clear();
      events.set(0);
      failures.set(0);
    }

    synchronized void expect(int count, Promise<Void> done) {
      expected = count;
      allDone = done;
    }

    synchronized void event(JsonObject event) {
      String date = event.getString("date");
      if (date != null) {
        Instant at = Instant.parse(date);
        Instant now = Instant.now();
        deliveryMicros.add(TimeUnit.SECONDS.toMicros(now.getEpochSecond() - at.getEpochSecond())
            + (now.getNano() - at.getNano()) / 1000);
        events.incrementAndGet();
      }
    }

    synchronized void finished(long nanos, boolean failed) {
      if (failed) {
        failures.incrementAndGet();
      }
      doneNanos.add(nanos);
      if (allDone != null && doneNanos.size() >= expected) {
        allDone.tryComplete();
      }
    }

    synchronized double delivery(double q) {
      return pct(deliveryMicros, q) / 1000.0;
    }

    synchronized double done(double q) {
      return pct(doneNanos, q) / 1e6;
    }

    private static double pct(List<Long> values, double q) {
      if (values.isEmpty()) {
        return Double.NaN;
      }
      long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(sorted);
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1 < 0 ? 0
          : (int) Math.ceil(q * sorted.length) - 1)];
    }
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The server's engram_http_streams_active lines from /metrics (served to loopback). */
  private static String streamGauges(HttpClientAgent http) throws Exception {
    String metrics = await(get(http, "/metrics")).toString();
    return String.join(", ", metrics.lines().filter(l -> l.startsWith("engram_http_streams_active"))
        .map(l -> l.replace("engram_http_streams_active", "")).toList());
  }

  private static Future<Buffer> get(HttpClientAgent http, String path) {
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(path)
            .putHeader("authorization", "Bearer bench"))
        .compose(req -> req.send().compose(resp -> resp.body().compose(b -> resp.statusCode() == 200
            ? Future.succeededFuture(b) : Future.failedFuture(path + ": " + resp.statusCode() + " " + b))));
  }

  private static Future<Buffer> post(HttpClientAgent http, String path, String body) {
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
            .putHeader("authorization", "Bearer bench").putHeader("content-type", "application/json"))
        .compose(req -> req.send(body).compose(resp -> resp.body().compose(b -> resp.statusCode() == 200
            ? Future.succeededFuture(b) : Future.failedFuture(path + ": " + resp.statusCode() + " " + b))));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return await(f, 600);
  }

  private static <T> T await(Future<T> f, int seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
