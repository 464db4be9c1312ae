package dev.engram.bench;

import dev.engram.EngramServer;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.TempHomes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A custom tool call end to end: a streamed {@code /api} send whose scripted model calls the user's own {@code echo}
 * tool (Python, run in the sandbox; no heartbeat, so the send is one model call and one tool call) against the same
 * send answered with {@code send_message} (no sandbox). Prints send-to-{@code [DONE]} p50/p99 one send at a time, and
 * tool calls per second with {@code --agents} agents sending at once. Needs bubblewrap and python3.
 *
 * <p>Usage: {@code scripts/bench.sh tool-calls [--sends 300] [--agents 32] [--seconds 20]}
 */
public final class ToolCallBenchmark {
  private static final String ECHO = """
      def echo(text: str) -> str:
          \"\"\"Returns what it was given.

          Args:
              text: what to return
          \"\"\"
          return text
      """;

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    int sends = Integer.parseInt(opts.getOrDefault("sends", "300"));
    int agents = Integer.parseInt(opts.getOrDefault("agents", "32"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    Path home = TempHomes.create("engram-bench-tools-");
    Vertx side = Vertx.vertx();
    ScriptedLlm llm = await(ScriptedLlm.start(side));
    // agents that have echo call it; the others answer through send_message
    llm.fallback(request -> offersEcho(request)
        ? ScriptedLlm.Step.toolCall("Echoing.", "echo", new JsonObject().put("text", "ping"))
        : ScriptedLlm.Step.sendMessage("Answering.", "ping"));
    llm.keepRequests(false);
    try (EngramServer server = BenchServer.start(home, llm.baseUrl())) {
      HttpClientAgent http = side.createHttpClient(new HttpClientOptions().setDefaultPort(server.port())
          .setDefaultHost("localhost").setKeepAlive(true), new PoolOptions().setHttp1MaxSize(agents * 2));
      await(post(http, "/v1/tools", new JsonObject().put("source_code", ECHO)));
      List<String> toolAgents = new ArrayList<>();
      List<String> plainAgents = new ArrayList<>();
      for (int i = 0; i < agents; i++) {
        toolAgents.add(await(agent(http, "tools-" + i, true)));
        plainAgents.add(await(agent(http, "plain-" + i, false)));
      }
      System.out.printf("%d sends one at a time, then %d agents sending at once for %d s (%d cores; server, scripted"
          + " model and load in one JVM)%n", sends, agents, seconds, Runtime.getRuntime().availableProcessors());
      sequential(http, plainAgents.get(0), sends / 3); // warm-up of both paths
      sequential(http, toolAgents.get(0), sends / 3);
      report("send_message only, one at a time", sequential(http, plainAgents.get(0), sends));
      report("custom tool call, one at a time", sequential(http, toolAgents.get(0), sends));
      concurrent(side, http, plainAgents, seconds, "send_message only");
      concurrent(side, http, toolAgents, seconds, "custom tool call");
      await(http.close());
    } finally {
      await(side.close());
    }
    System.exit(0);
  }

  private static boolean offersEcho(JsonObject request) {
    JsonArray tools = request.getJsonArray("tools", new JsonArray());
    for (Object t : tools) {
      if ("echo".equals(((JsonObject) t).getJsonObject("function", new JsonObject()).getString("name"))) {
        return true;
      }
    }
    return false;
  }

  private static Future<String> agent(HttpClientAgent http, String name, boolean echo) {
    JsonObject body = new JsonObject().put("name", name).put("model", "openai/gpt-4");
    if (echo) {
      body.put("tools", new JsonArray().add("echo"));
    }
    return post(http, "/v1/agents", body).map(b -> b.toJsonObject().getString("id"));
  }

  private static Future<Buffer> post(HttpClientAgent http, String path, JsonObject body) {
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
            .putHeader("authorization", "Bearer bench").putHeader("content-type", "application/json"))
        .compose(req -> req.send(body.encode()))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200
            ? Future.succeededFuture(b) : Future.failedFuture(resp.statusCode() + " " + b)));
  }

  /** One streamed send; its latency in nanoseconds, after checking it ended with [DONE] and no error. */
  private static Future<Long> send(HttpClientAgent http, String agentId) {
    long start = System.nanoTime();
    return post(http, "/api/agents/" + agentId + "/messages",
        new JsonObject().put("message", "Echo ping.").put("stream", true))
        .compose(b -> {
          String text = b.toString();
          return text.endsWith("data: [DONE]\n\n") && !text.contains("\"status\":\"error\"")
              ? Future.succeededFuture(System.nanoTime() - start)
              : Future.failedFuture("the send did not end well: " + text);
        });
  }

  private static long[] sequential(HttpClientAgent http, String agentId, int count) throws Exception {
    long[] ns = new long[count];
    for (int i = 0; i < count; i++) {
      ns[i] = await(send(http, agentId));
    }
    return ns;
  }

  /** Every agent sends again as soon as its send ends, for {@code seconds}; prints sends per second. */
  private static void concurrent(Vertx vertx, HttpClientAgent http, List<String> ids, int seconds, String what)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Future<Void>> loops = new ArrayList<>();
    for (String id : ids) {
      loops.add(loop(http, id, stop, done, latencies));
    }
    long start = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    stop.set(true);
    await(Future.all(loops));
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] ns = latencies.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(ns);
    System.out.printf("%s, %d agents at once: %.0f sends/s, p50 %.2f ms, p99 %.2f ms%n", what, ids.size(),
        done.get() / elapsed, pct(ns, 50), pct(ns, 99));
  }

  private static Future<Void> loop(HttpClientAgent http, String id, AtomicBoolean stop, AtomicLong done,
      List<Long> latencies) {
    if (stop.get()) {
      return Future.succeededFuture();
    }
    return send(http, id).compose(ns -> {
      done.incrementAndGet();
      latencies.add(ns);
      return loop(http, id, stop, done, latencies);
    });
  }

  private static void report(String what, long[] ns) {
    long[] sorted = ns.clone();
    Arrays.sort(sorted);
    System.out.printf("%s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms over %d sends%n", what, pct(sorted, 50),
        pct(sorted, 90), pct(sorted, 99), sorted.length);
  }

  private static double pct(long[] sorted, int percentile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
