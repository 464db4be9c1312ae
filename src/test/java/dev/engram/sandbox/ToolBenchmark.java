package dev.engram.sandbox;

import dev.engram.bench.BenchArgs;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cost of one custom tool call (a tool that returns its input) through {@link ToolSandbox}, end to end as the caller
 * waits for it: sequential latency p50/p99, then C concurrent callers in a closed loop (calls/s, p50/p99, and CPU per
 * call of this JVM and of the sandbox's processes, which on a shared machine is a steadier guide than wall time). The same for the same pool and protocol without isolation (no bwrap, no setpriv: what the sandbox
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
    Map<String, String> opts = BenchArgs.parse(args);
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
    run(sandbox, Math.max(200, concurrency * 4), concurrency, new long[Math.max(200, concurrency * 4)]);
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
    long jvmBefore = jvmCpuNs();
    long sandboxBefore = sandboxCpuNs();
    long t = System.nanoTime();
    run(sandbox, calls, concurrency, concurrent);
    double seconds = (System.nanoTime() - t) / 1e9;
    double jvmMs = (jvmCpuNs() - jvmBefore) / 1e6 / calls;
    double sandboxMs = (sandboxCpuNs() - sandboxBefore) / 1e6 / calls;
    System.out.printf("%s: first zygote %.0f ms | sequential p50 %.2f ms, p99 %.2f ms (function itself p50 %.0f µs)"
            + " | %d callers: %.0f calls/s, p50 %.2f ms, p99 %.2f ms; CPU per call %.2f ms (JVM %.2f, Python %.2f)%n",
        name, startupMs, pct(sequential, 50), pct(sequential, 99), pct(functionUs, 50) * 1e6, concurrency,
        calls / seconds, pct(concurrent, 50), pct(concurrent, 99), jvmMs + sandboxMs, jvmMs, sandboxMs);
    await(sandbox.stop());
  }

  /** {@code calls} calls from {@code concurrency} closed-loop callers; latencies in ns. */
  private static void run(ToolSandbox sandbox, int calls, int concurrency, long[] latencies) throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> callers = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      Promise<Void> done = Promise.promise();
      callers.add(done.future());
      loop(sandbox, next, calls, latencies, done);
    }
    Future.all(callers).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
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

  private static long jvmCpuNs() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU of the zygotes, with their finished children (each call's supervisor and tool process, reaped by them):
   * utime, stime, cutime and cstime of every Python process under this JVM.
   */
  private static long sandboxCpuNs() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().command().orElse("").contains("python"))
        .mapToLong(p -> {
          try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command: state is field 3, utime..cstime are fields 14..17 of the whole line
            return (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]))
                * 10_000_000L;  // USER_HZ = 100
          } catch (IOException | RuntimeException e) {
            return 0;  // ended meanwhile
          }
        }).sum();
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
