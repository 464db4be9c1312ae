package dev.engram.bench;

import dev.engram.embed.EmbedClient;
import dev.engram.embed.EmbedProtocol;
import dev.engram.embed.EmbedProtocol.Embed;
import dev.engram.embed.EmbedProtocol.Vectors;
import dev.engram.embed.EmbeddingSettings;
import dev.engram.embed.EmbeddingVerticle;
import dev.engram.embed.LocalEmbedder;
import dev.engram.embed.MicroBatcher;
import dev.engram.kernel.RecordCodec;
import dev.engram.testkit.Sentences;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-process embedder behind the embedding verticle, called over the event bus with {@link EmbedClient}: model
 * load time, one-text-per-call latency (sequential), sequential throughput, closed-loop throughput with C concurrent
 * callers each sending one short sentence at a time, and the batch sizes that formed. For comparison, LangChain4j's
 * own {@code embedAll} on the same texts (skip with {@code --baseline false}). Texts are generated 8-25 word sentences.
 * Texts per CPU-second are printed too, since the machine may be shared.
 *
 * <p>Usage: scripts/bench.sh embed [--texts 2000] [--callers 64] [--batch-size 32] [--wait-ms 2] [--threads 2]
 * [--rows-per-run 1] [--baseline true]
 */
public final class EmbedBenchmark {
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    int texts = Integer.parseInt(opts.getOrDefault("texts", "2000"));
    int callers = Integer.parseInt(opts.getOrDefault("callers", "64"));
    int batchSize = Integer.parseInt(opts.getOrDefault("batch-size", "32"));
    long waitMs = Long.parseLong(opts.getOrDefault("wait-ms", "2"));
    int threads = Integer.parseInt(opts.getOrDefault("threads",
        String.valueOf(Runtime.getRuntime().availableProcessors())));
    int rowsPerRun = Integer.parseInt(opts.getOrDefault("rows-per-run", "1"));
    boolean baseline = Boolean.parseBoolean(opts.getOrDefault("baseline", "true"));
    List<String> sentences = Sentences.generate(texts, 42);
    System.out.printf("embed benchmark: %d texts (avg %.1f words), %d callers, batch size %d, wait %d ms, %d threads,"
            + " %d window(s) per ONNX run, %d cores, load average %.1f%n", texts,
        sentences.stream().mapToInt(s -> s.split(" ").length).average().orElse(0), callers, batchSize, waitMs, threads,
        rowsPerRun, Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

    Vertx vertx = Vertx.vertx();
    vertx.eventBus().registerCodec(new RecordCodec());
    vertx.eventBus().codecSelector(body -> body instanceof Record ? RecordCodec.NAME : null);
    var settings = new EmbeddingSettings(null, null, EmbeddingSettings.LOCAL_MODEL, EmbeddingSettings.LOCAL_DIMENSION,
        batchSize, waitMs, threads, 60_000);
    long t0 = System.nanoTime();
    EmbeddingVerticle verticle = rowsPerRun == LocalEmbedder.DEFAULT_ROWS_PER_RUN ? new EmbeddingVerticle(settings)
        : null;
    LocalEmbedder local;
    EmbedClient client = new EmbedClient(vertx, 120_000);
    if (verticle != null) {
      await(vertx.deployVerticle(verticle));
      local = (LocalEmbedder) verticle.embedder();
    } else {
      local = await(vertx.executeBlocking(() -> LocalEmbedder.load(vertx, settings, rowsPerRun), false));
      serveDirectly(vertx, local);
    }
    System.out.printf("load: %.2f s%n", (System.nanoTime() - t0) / 1e9);

    // warm-up: sequential and concurrent
    sequential(client, Sentences.generate(50, 7));
    closedLoop(client, Sentences.generate(200, 8), callers);

    List<String> sequentialTexts = sentences.subList(0, Math.min(sentences.size(), 500));
    Cpu cpu = new Cpu();
    long[] latencies = sequential(client, sequentialTexts);
    double seconds = cpu.wallSeconds();
    System.out.printf("sequential, one text per call: p50 %.2f ms, p99 %.2f ms; %.0f texts/s (%.0f texts per"
            + " CPU-second)%n", pct(latencies, 50), pct(latencies, 99), sequentialTexts.size() / seconds,
        sequentialTexts.size() / cpu.cpuSeconds());

    MicroBatcher.Stats before = local.stats();
    cpu = new Cpu();
    Map<String, Long> threadsBefore = cpuByThreadGroup();
    long[] loaded = closedLoop(client, sentences, callers);
    seconds = cpu.wallSeconds();
    Map<String, Long> threadsAfter = cpuByThreadGroup();
    MicroBatcher.Stats after = local.stats();
    System.out.printf("%d concurrent callers, closed loop: %.0f texts/s (%.0f texts per CPU-second); latency p50 %.1f ms,"
            + " p99 %.1f ms%n", callers, texts / seconds, texts / cpu.cpuSeconds(), pct(loaded, 50), pct(loaded, 99));
    long batches = after.batches() - before.batches();
    System.out.printf("batches: %d for %d texts (mean size %.1f); sizes: %s%n", batches,
        after.texts() - before.texts(), (after.texts() - before.texts()) / (double) Math.max(1, batches),
        histogram(before.sizes(), after.sizes()));
    System.out.println("CPU per text by thread: " + perText(threadsBefore, threadsAfter, cpu.cpuSeconds(), texts));

    if (baseline) {
      var reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
      List<TextSegment> segments = sentences.stream().map(TextSegment::from).toList();
      reference.embedAll(segments.subList(0, Math.min(100, segments.size())));
      cpu = new Cpu();
      reference.embedAll(segments);
      System.out.printf("baseline LangChain4j embedAll on the same texts: %.0f texts/s (%.0f texts per CPU-second)%n",
          texts / cpu.wallSeconds(), texts / cpu.cpuSeconds());
    }
    if (verticle == null) {
      local.close();
    }
    await(vertx.close());
    System.exit(0);
  }

  /** Without the verticle (for a non-default rows-per-run): the same bus address served by the chosen embedder. */
  private static void serveDirectly(Vertx vertx, LocalEmbedder local) throws Exception {
    await(EmbedProtocol.EMBED.serve(vertx, (Embed r) -> local.embed(r.texts()).map(Vectors::new)));
  }

  private static long[] sequential(EmbedClient client, List<String> texts) throws Exception {
    long[] latencies = new long[texts.size()];
    for (int i = 0; i < texts.size(); i++) {
      long start = System.nanoTime();
      await(client.embed(texts.get(i)));
      latencies[i] = System.nanoTime() - start;
    }
    return latencies;
  }

  /** Each caller sends its next text when the previous answer arrived, until all texts are done. */
  private static long[] closedLoop(EmbedClient client, List<String> texts, int callers) throws Exception {
    long[] latencies = new long[texts.size()];
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      Promise<Void> done = Promise.promise();
      lanes.add(done.future());
      sendNext(client, texts, next, latencies, done);
    }
    await(Future.all(lanes));
    return latencies;
  }

  private static void sendNext(EmbedClient client, List<String> texts, AtomicInteger next, long[] latencies,
      Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= texts.size()) {
      done.tryComplete();
      return;
    }
    long start = System.nanoTime();
    client.embed(texts.get(i)).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      latencies[i] = System.nanoTime() - start;
      sendNext(client, texts, next, latencies, done);
    });
  }

  /** CPU nanoseconds of the live Java threads, grouped by name (runner threads, event loops, the rest). */
  private static Map<String, Long> cpuByThreadGroup() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> groups = new TreeMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null) {
        long nanos = threads.getThreadCpuTime(info.getThreadId());
        String name = info.getThreadName();
        String group = name.startsWith("engram-embed") ? "embed runners" : name.startsWith("vert.x-eventloop")
            ? "event loops" : "other Java threads";
        groups.merge(group, Math.max(0, nanos), Long::sum);
      }
    }
    return groups;
  }

  /** Milliseconds of CPU per text in each thread group; the JVM's own threads (GC, JIT) are the remainder. */
  private static String perText(Map<String, Long> before, Map<String, Long> after, double processSeconds, int texts) {
    StringBuilder out = new StringBuilder();
    long javaNanos = 0;
    for (Map.Entry<String, Long> group : after.entrySet()) {
      long nanos = group.getValue() - before.getOrDefault(group.getKey(), 0L);
      javaNanos += nanos;
      out.append(String.format("%s %.3f ms, ", group.getKey(), nanos / 1e6 / texts));
    }
    return out.append(String.format("JVM (GC, JIT) %.3f ms", (processSeconds * 1e9 - javaNanos) / 1e6 / texts))
        .toString();
  }

  private static String histogram(long[] before, long[] after) {
    StringBuilder out = new StringBuilder();
    for (int size = 1; size < after.length; size++) {
      long count = after[size] - before[size];
      if (count > 0) {
        out.append(out.length() == 0 ? "" : ", ").append(size).append('×').append(count);
      }
    }
    return out.toString();
  }

  private static double pct(long[] nanos, double p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }

  /** Wall and process CPU time since construction. */
  private static final class Cpu {
    private final long wall = System.nanoTime();
    private final long cpu = processCpu();

    double wallSeconds() {
      return (System.nanoTime() - wall) / 1e9;
    }

    double cpuSeconds() {
      return (processCpu() - cpu) / 1e9;
    }

    private static long processCpu() {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
