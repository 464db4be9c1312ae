package dev.engram.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The process's one meter registry (Prometheus) and Engram's own meters. Vert.x reports its HTTP, event-bus and pool
 * metrics into the same registry ({@link #vertxOptions}); every verticle instance finds it with {@link #of(Vertx)},
 * so the instances of a verticle share one set of meters. Meters are looked up once and kept (a record on the hot
 * path is a timer or counter update, no tag lookup), except those tagged by model, found in a small map.
 */
public final class EngramMetrics implements Shareable {
  private static final String SHARED_MAP = "engram.metrics";
  /** For a Vert.x that Engram did not set up (tests that build a router alone): meters that record nothing. */
  private static final EngramMetrics NONE = new EngramMetrics(new CompositeMeterRegistry(), null);
  /** Model names come from users (an agent's model is free text): at most this many become label values. */
  private static final int MAX_MODELS = 32;
  /** Run stop reasons are Engram's own (a handful), but bounded all the same. */
  private static final int MAX_STOP_REASONS = 16;

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;
  private final Timer step;
  private final Timer embedQueueWait;
  private final DistributionSummary embedBatchSize;
  private final AtomicInteger sseStreams = new AtomicInteger();
  private final AtomicInteger webSockets = new AtomicInteger();
  private final AtomicInteger jobsRunning = new AtomicInteger();
  private final LabelValues models = new LabelValues(MAX_MODELS);
  private final LabelValues stopReasons = new LabelValues(MAX_STOP_REASONS);
  private final ConcurrentMap<String, Timer> runs = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, LlmMeters> llm = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> jobs = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, AtomicLong> indexDocuments = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> indexSearches = new ConcurrentHashMap<>();
  private final Dashboard dashboard;

  private EngramMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
    this.registry = registry;
    this.prometheus = prometheus;
    this.dashboard = new Dashboard(registry);
    this.step = latency("engram.agent.step", "One step of a run: the model's turn, its tools and its write")
        .register(registry);
    this.embedQueueWait = latency("engram.embed.queue.wait", "How long a text waited for the local embedder")
        .register(registry);
    this.embedBatchSize = DistributionSummary.builder("engram.embed.batch.size")
        .description("Texts per batch of the local embedder").register(registry);
    gauge("engram.http.streams.active", sseStreams, AtomicInteger::get, "kind", "sse",
        "Open server-sent-event streams of runs");
    gauge("engram.http.streams.active", webSockets, AtomicInteger::get, "kind", "websocket",
        "Open agent WebSockets");
    gauge("engram.jobs.running", jobsRunning, AtomicInteger::get, null, null, "Source jobs loading now");
  }

  /**
   * A new registry for one server process. Vert.x configures its meter filters when it starts: start it on this
   * registry before {@link #create}, so that every filter is in place before the first meter is registered.
   */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Engram's own meters in {@code registry} (from {@link #newRegistry}). */
  public static EngramMetrics create(PrometheusMeterRegistry registry) {
    return new EngramMetrics(registry, registry);
  }

  /**
   * The Vert.x metrics options that report into this registry under {@code registryName} (unique per server: Vert.x
   * keeps registries by name for the JVM), with the JVM's memory, GC and threads. Labels: route templates, never raw
   * paths; event-bus addresses as folded by {@link VertxMeters} (each run's own address reported as one); no
   * event-bus "side" (a single process has only local deliveries, and it would double every address's series).
   */
  public static MicrometerMetricsOptions vertxOptions(String registryName) {
    return new MicrometerMetricsOptions().setEnabled(true).setRegistryName(registryName).setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.EB_ADDRESS, Label.EB_FAILURE));
  }

  /** Makes this the registry that {@link #of} finds for {@code vertx}. */
  public void attach(Vertx vertx) {
    vertx.sharedData().<String, EngramMetrics>getLocalMap(SHARED_MAP).put(SHARED_MAP, this);
  }

  /** The registry of the server running on {@code vertx}, or meters that record nothing. */
  public static EngramMetrics of(Vertx vertx) {
    EngramMetrics found = vertx.sharedData().<String, EngramMetrics>getLocalMap(SHARED_MAP).get(SHARED_MAP);
    return found == null ? NONE : found;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text of every meter, or null when this is not a server's registry. */
  public String scrape() {
    return prometheus == null ? null : prometheus.scrape();
  }

  /** The admin dashboard's figures, read from this registry. */
  public Dashboard dashboard() {
    return dashboard;
  }

  public Timer step() {
    return step;
  }

  /** A run ended with {@code stopReason} (end_turn, max_steps, cancelled, error, llm_api_error...). */
  public void runEnded(String stopReason, long nanos) {
    String reason = stopReasons.bound(stopReason == null ? "none" : stopReason);
    runs.computeIfAbsent(reason, r -> latency("engram.agent.run", "Runs (sends) by stop reason, start to end")
        .tag("stop_reason", r).register(registry)).record(Duration.ofNanos(nanos));
  }

  /** The meters of LLM calls for {@code model}. */
  public LlmMeters llm(String model) {
    String name = models.bound(model == null ? "unknown" : model);
    LlmMeters found = llm.get(name);
    return found != null ? found : llm.computeIfAbsent(name, m -> new LlmMeters(registry, m));
  }

  public void embedBatch(int size, long oldestWaitNanos) {
    embedBatchSize.record(size);
    embedQueueWait.record(oldestWaitNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** The gauge of documents in index {@code name}, to be set by whoever can count them. */
  public AtomicLong indexDocuments(String name) {
    return indexDocuments.computeIfAbsent(name, n -> {
      AtomicLong count = new AtomicLong();
      gauge("engram.index.documents", count, AtomicLong::get, "index", n, "Entries in a search index");
      return count;
    });
  }

  public Timer indexSearch(String name) {
    return indexSearches.computeIfAbsent(name, n -> latency("engram.index.search", "Searches of an index")
        .tag("index", n).register(registry));
  }

  /** Registers the depth of one agent shard's mailboxes (sends waiting or running). */
  public <T> void mailboxDepth(int shard, T mailbox, ToDoubleFunction<T> depth) {
    gauge("engram.agent.mailbox.depth", mailbox, depth, "shard", Integer.toString(shard),
        "Operations queued or running in an agent shard's mailboxes");
  }

  public AtomicInteger sseStreams() {
    return sseStreams;
  }

  public AtomicInteger webSockets() {
    return webSockets;
  }

  public AtomicInteger jobsRunning() {
    return jobsRunning;
  }

  /** A source job ended in {@code state} (completed or failed). */
  public void jobEnded(String state) {
    jobs.computeIfAbsent(state, s -> Counter.builder("engram.jobs.ended").tag("state", s)
        .description("Source jobs by the state they ended in").register(registry)).increment();
  }

  private <T> void gauge(String name, T state, ToDoubleFunction<T> value, String tag, String tagValue,
      String description) {
    Gauge.Builder<T> builder = Gauge.builder(name, state, value).description(description).strongReference(true);
    if (tag != null) {
      builder.tag(tag, tagValue);
    }
    builder.register(registry);
  }

  /** A timer with a histogram for percentiles (p50/p99 on a dashboard), from 1 ms to 5 minutes. */
  static Timer.Builder latency(String name, String description) {
    return Timer.builder(name).description(description).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5));
  }

  /** The meters of one model's calls: latency by outcome, tokens by kind, errors by kind. */
  public static final class LlmMeters {
    private final MeterRegistry registry;
    private final String model;
    private final Timer ok;
    private final Timer failed;
    private final Counter promptTokens;
    private final Counter completionTokens;
    private final ConcurrentMap<String, Counter> errors = new ConcurrentHashMap<>();

    private LlmMeters(MeterRegistry registry, String model) {
      this.registry = registry;
      this.model = model;
      this.ok = latency("engram.llm.request", "LLM calls, with their retries").tags("model", model, "outcome", "ok")
          .register(registry);
      this.failed = latency("engram.llm.request", "LLM calls, with their retries")
          .tags("model", model, "outcome", "error").register(registry);
      this.promptTokens = tokens(registry, model, "prompt");
      this.completionTokens = tokens(registry, model, "completion");
    }

    private static Counter tokens(MeterRegistry registry, String model, String kind) {
      return Counter.builder("engram.llm.tokens").description("Tokens the model reported using")
          .tags("model", model, "kind", kind).register(registry);
    }

    public void succeeded(long nanos, int prompt, int completion) {
      ok.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
      promptTokens.increment(prompt);
      completionTokens.increment(completion);
    }

    /** {@code kind}: the failure's kind (timeout, rate_limited, server_error, ...). */
    public void failed(long nanos, String kind) {
      failed.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
      errors.computeIfAbsent(kind, k -> Counter.builder("engram.llm.errors").description("Failed LLM calls")
          .tags("model", model, "kind", k).register(registry)).increment();
    }
  }
}
