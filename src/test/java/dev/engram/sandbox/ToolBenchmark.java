package dev.engram.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cost of one custom tool call (a tool that returns its input) through {@link ToolSandbox}, end to end as the caller
 * waits for it: sequential latency p50/p99, then C concurrent callers in a closed loop (calls/s, p50/p99, machine CPU
 * per call). The same for the same pool and protocol without isolation (no bwrap, no setpriv: what the sandbox
 * itself costs), for a fresh interpreter per call (Letta's local subprocess way), and the time inside the function.
 * In this package (not dev.engram.bench) because the unisolated baseline is deliberately not public.
 *
 * <p>Usage: scripts/bench.sh tools [--calls 2000] [--concurrency 32] [--pool 8] [--fresh 50]
 */
public final class ToolBenchmark {
  private static final String ECHO = """
      def echo(text: str, n: int):
          \"""Returns its input.

          Args:
              text: Any text.
              n: Any number.
          \"""
          return {"text": text, "n": n}
      """;

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int calls = Integer.parseInt(opts.getOrDefault("calls", "2000"));
    int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "32"));
    int pool = Integer.parseInt(opts.getOrDefault("pool", String.valueOf(SandboxSettings.DEFAULT_POOL_SIZE)));
    int fresh = Integer.parseInt(opts.getOrDefault("fresh", "50"));
    System.out.printf("tools benchmark: %d calls, %d concurrent callers, pool of %d, %d cores, load average %.1f%n",
        calls, concurrency, pool, Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    SandboxSettings settings = new SandboxSettings(null, pool, Math.max(1000, concurrency),
        SandboxSettings.DEFAULT_LIMITS);
    Vertx vertx = Vertx.vertx();
    try {
      ToolSandbox sandboxed = ToolSandbox.create(vertx, settings);
      if (sandboxed.unavailableReason() != null) {
        throw new IllegalStateException(sandboxed.unavailableReason());
      }
      measure("sandboxed", sandboxed, calls, concurrency);
      measure("unsandboxed (same pool, no bwrap)", ToolSandbox.unisolatedForBenchmark(vertx, settings), calls,
          concurrency);
      freshInterpreter(fresh);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void measure(String name, ToolSandbox sandbox, int calls, int concurrency) throws Exception {
    long startMs = System.nanoTime();
    await(sandbox.start());
    double startupMs = (System.nanoTime() - startMs) / 1e6;
    // warm-up: every slot started, the JIT warm
    run(sandbox, Math.max(200, concurrency * 4), concurrency, new long[Math.max(200, concurrency * 4)], new long[1]);
    int sequentialCalls = Math.min(calls, 500);
    long[] sequential = new long[sequentialCalls];
    long[] functionUs = new long[sequentialCalls];
    for (int i = 0; i < sequentialCalls; i++) {
      long t = System.nanoTime();
      ToolRun r = await(call(sandbox, i));
      sequential[i] = System.nanoTime() - t;
      functionUs[i] = r.functionMicros();
    }
    long[] concurrent = new long[calls];
    long[] cpu = new long[1];
    long t = System.nanoTime();
    run(sandbox, calls, concurrency, concurrent, cpu);
    double seconds = (System.nanoTime() - t) / 1e9;
    System.out.printf("%s: first zygote %.0f ms | sequential p50 %.2f ms, p99 %.2f ms (function itself p50 %.0f µs)"
            + " | %d callers: %.0f calls/s, p50 %.2f ms, p99 %.2f ms, machine CPU %.2f ms per call%n",
        name, startupMs, pct(sequential, 50), pct(sequential, 99), pct(functionUs, 50) * 1e6, concurrency,
        calls / seconds, pct(concurrent, 50), pct(concurrent, 99), cpu[0] / 1e6 / calls);
    await(sandbox.stop());
  }

  /** {@code calls} calls from {@code concurrency} closed-loop callers; latencies in ns, machine CPU in ns. */
  private static void run(ToolSandbox sandbox, int calls, int concurrency, long[] latencies, long[] cpu)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> callers = new ArrayList<>();
    long busyBefore = machineBusyNs();
    for (int c = 0; c < concurrency; c++) {
      Promise<Void> done = Promise.promise();
      callers.add(done.future());
      loop(sandbox, next, calls, latencies, done);
    }
    Future.all(callers).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    cpu[0] = machineBusyNs() - busyBefore;
  }

  private static void loop(ToolSandbox sandbox, AtomicInteger next, int calls, long[] latencies,
      Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= calls) {
      done.complete();
      return;
    }
    long t = System.nanoTime();
    call(sandbox, i).onComplete(r -> {
      if (r.failed() || !r.result().ok()) {
        done.fail(r.failed() ? r.cause().toString() : r.result().error());
        return;
      }
      latencies[i] = System.nanoTime() - t;
      loop(sandbox, next, calls, latencies, done);
    });
  }

  private static Future<ToolRun> call(ToolSandbox sandbox, int i) {
    return sandbox.run(new ToolCode(ECHO), "echo", new JsonObject().put("text", "call " + i).put("n", i), Map.of(),
        SandboxSettings.DEFAULT_LIMITS);
  }

  /** A new interpreter per call, as Letta's local sandbox starts one: the cost a warm pool avoids. */
  private static void freshInterpreter(int calls) throws Exception {
    String runner = "import json,sys\nreq=json.load(sys.stdin)\nns={}\nexec(req['source'],ns)\n"
        + "print(json.dumps(ns[req['function']](**req['args'])))\n";
    long[] latencies = new long[calls];
    for (int i = 0; i < calls; i++) {
      long t = System.nanoTime();
      Process p = new ProcessBuilder("/usr/bin/python3", "-I", "-c", runner).start();
      p.getOutputStream().write(new JsonObject().put("source", ECHO).put("function", "echo")
          .put("args", new JsonObject().put("text", "call " + i).put("n", i)).encode()
          .getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0 || !out.contains("call " + i)) {
        throw new IllegalStateException("fresh interpreter failed: " + out);
      }
      latencies[i] = System.nanoTime() - t;
    }
    System.out.printf("fresh interpreter per call (unsandboxed): sequential p50 %.2f ms, p99 %.2f ms%n",
        pct(latencies, 50), pct(latencies, 99));
  }

  private static long machineBusyNs() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < f.length; i++) {
      if (i != 4 && i != 5) {  // all but idle and iowait
        busy += Long.parseLong(f[i]);
      }
    }
    return busy * 10_000_000L;  // USER_HZ = 100
  }

  private static double pct(long[] values, int percentile) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, index)] / 1e6;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
  }
}
