package dev.engram;

import dev.engram.agent.AgentProtocol;
import dev.engram.agent.TokenCounter;
import dev.engram.agent.AgentVerticle;
import dev.engram.cluster.AgentVerticles;
import dev.engram.cluster.ClusterBoot;
import dev.engram.cluster.ClusterVerticle;
import dev.engram.config.EngramConfig;
import dev.engram.embed.Chunker;
import dev.engram.embed.EmbeddingVerticle;
import dev.engram.index.Indexes;
import dev.engram.source.SourceVerticle;
import dev.engram.http.HttpSettings;
import dev.engram.http.HttpVerticle;
import dev.engram.kernel.RecordCodec;
import dev.engram.kernel.Tokenizers;
import dev.engram.memory.MemoryVerticle;
import dev.engram.observe.EngramMetrics;
import dev.engram.observe.VertxMeters;
import dev.engram.observe.Trace;
import dev.engram.store.DatabaseLauncher;
import dev.engram.mcp.McpVerticle;
import dev.engram.sandbox.SandboxVerticle;
import dev.engram.store.StoreVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Boots one Engram process: secrets; PostgreSQL (embedded or external) beside Vert.x and the embedding verticle (the
 * model load); the persistence verticle with its indexes once the database is up; then, after both, the verticles in
 * order (sandbox, agents, sources, MCP, memory, HTTP), each only after the previous ones are up. The time of each phase
 * is logged at INFO when the server is ready ({@link StartPhases}).
 */
public final class EngramServer implements AutoCloseable {
  /** The server's version, as /v1/health/ and --version report it. */
  public static final String VERSION = "0.1.0";
  private static final Logger LOG = LoggerFactory.getLogger(EngramServer.class);
  /** Vert.x keeps meter registries by name for the whole JVM: each server (tests start several) has its own. */
  private static final AtomicInteger REGISTRIES = new AtomicInteger();

  private final Vertx vertx;
  private final DatabaseLauncher database;
  /** Deployment ids in the order the verticles started. */
  private final List<String> deployments;
  private final int port;
  private final String adminPassword;
  private final String scheme;
  private final Future<Void> warmup;
  /** Closes the server when the JVM exits without a close: verticles first, then the database they write to. */
  private final Thread closeAtExit = new Thread(this::close, "engram-close-at-exit");
  private boolean closed;

  private EngramServer(Vertx vertx, DatabaseLauncher database, List<String> deployments, int port,
      String adminPassword, String scheme, Future<Void> warmup) {
    this.vertx = vertx;
    this.database = database;
    this.deployments = List.copyOf(deployments);
    this.port = port;
    this.adminPassword = adminPassword;
    this.scheme = scheme;
    this.warmup = warmup;
  }

  /** Starts the server and blocks until it listens (or fails). */
  public static EngramServer start(EngramConfig config) throws Exception {
    StartPhases phases = new StartPhases();
    Files.createDirectories(config.home());
    String adminPassword = config.adminPassword();
    if (adminPassword == null) {
      adminPassword = Secrets.urlSafeToken(16);
      LOG.info("Generated admin server password for this session: {}", adminPassword);
    }
    String jwtSecret = config.auth().jwtSecret() != null
        ? config.auth().jwtSecret() : Secrets.persistent(config.home().resolve("jwt-secret"));
    var server = config.server();
    String certPath = server.sslCert();
    String keyPath = server.sslKey();
    if (server.useSsl() && (certPath == null || keyPath == null)) {
      var pair = SelfSignedCertificate.ensure(config.home().resolve("tls"), server.host());
      certPath = pair.cert().toString();
      keyPath = pair.key().toString();
      LOG.info("Using a self-signed certificate: {}", certPath);
    }

    // while the database starts: the migration files (the store would read them on its event loop), then the tables
    // of the chunker's tokenizer and of the default model's (a few hundred ms each in a cold JVM), so that neither the
    // agent verticles' start (they make a Chunker) nor the first send waits for them
    Thread preload = new Thread(() -> {
      try {
        StoreVerticle.readMigrations();
      } catch (RuntimeException e) {
        // a broken set of migration files: the store reads them again and fails the start with this error
      }
      Tokenizers.of(Chunker.ENCODING_TYPE);
      new TokenCounter(config.llm().model());
    }, "engram-preload");
    preload.setDaemon(true);
    preload.start();
    if (config.cluster().enabled()) {
      Trace.node(ClusterBoot.nodeName(config.cluster()));
      LOG.info("Cluster mode: joining cluster '{}' as {} (members {})", config.cluster().name(),
          ClusterBoot.nodeName(config.cluster()), config.cluster().members());
    }
    phases.done("settings");
    // the database starts beside Vert.x and the embedding model, which do not need it (the embedded one is mostly a
    // wait for postgres); the store, the first verticle that does, waits for it
    long databaseStarted = System.nanoTime();
    CompletableFuture<DatabaseLauncher> databaseStart = new CompletableFuture<>();
    new Thread(() -> {
      try {
        databaseStart.complete(DatabaseLauncher.start(config.database(), config.home()));
      } catch (Throwable e) {
        databaseStart.completeExceptionally(e);
      }
    }, "engram-database-start").start();
    // one event loop per core (Vert.x would start two): hand-offs between verticles then find their loop awake more
    // often, and fewer threads contend for the cores
    // one meter registry for the process, into which Vert.x reports too; the trace slot exists before Vert.x does
    Trace.install();
    PrometheusMeterRegistry registry = EngramMetrics.newRegistry();
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(server.eventLoops())
        .setMetricsOptions(EngramMetrics.vertxOptions("engram-" + REGISTRIES.incrementAndGet()));
    var builder = Vertx.builder().withMetrics(new VertxMeters(new MicrometerMetricsFactory(registry), registry,
        AgentProtocol::meteredAddress));
    Vertx vertx;
    try {
      vertx = config.cluster().enabled() ? ClusterBoot.start(builder, options, config.cluster())
          : builder.with(options).build();
    } catch (Exception e) {
      closeWhenStarted(databaseStart);
      throw e;
    }
    EngramMetrics metrics = EngramMetrics.create(registry);
    metrics.attach(vertx);
    phases.done("vertx");
    List<String> deployments = new ArrayList<>();
    int port;
    try {
      vertx.eventBus().registerCodec(new RecordCodec());
      vertx.eventBus().codecSelector(body -> body instanceof Record ? RecordCodec.NAME : null);
      var embedding = config.embedding();
      long embedderStarted = System.nanoTime();
      Future<String> embedder = vertx.deployVerticle(new EmbeddingVerticle(embedding))
          .onSuccess(id -> phases.doneBeside("embedder", embedderStarted));
      DatabaseLauncher database = awaitDatabase(databaseStart);
      phases.doneBeside("database", databaseStarted);
      Path uploadsTmp = config.home().resolve("uploads").resolve("incoming");
      Files.createDirectories(uploadsTmp);
      // a free port is chosen as late as it can be: another program may take it between the choice and the bind
      port = server.port() == 0 ? freePort(server.host()) : server.port();
      var http = new HttpSettings(server.host(), port, server.useSsl(), certPath, keyPath, server.maxBodyBytes(),
          adminPassword, jwtSecret, config.auth().jwtTtlSeconds(), config.agents().instances(),
          config.agents().stepTimeoutMs(), config.llm(), config.embedding(), config.archival().chunkTokens(),
          config.archival().maxUploadBytes(), uploadsTmp, config.auth().staticApiKey(), memoryTimeoutMs(config),
          server.bodyReadTimeoutMs(), config.mcp(), config.tools(), server.metricsAccess(),
          config.memory().webhookAllowPrivateUrls());
      AtomicInteger shards = new AtomicInteger();
      StoreVerticle.IndexOpener indexes = name -> Indexes.create(vertx, config.index(), config.home(), name);
      long storeStarted = System.nanoTime();
      Future<String> store = vertx.deployVerticle(new StoreVerticle(database.connectOptions(),
              config.database().poolSize(), indexes, embedding.model(), embedding.dimension(),
              config.cluster().enabled()))
          .onSuccess(id -> phases.doneBeside("store and indexes", storeStarted));
      // both before anything that may embed (resumed runs, sources, memories) or store
      Future.all(embedder, store)
          .onSuccess(both -> {
            deployments.add(embedder.result());
            deployments.add(store.result());
            phases.done("vertx to embedder and store");
          })
          .map(both -> store.result())
          // cluster mode: this node's share of the agents' leases, before the agent verticles that serve them
          .compose(id -> config.cluster().enabled() ? vertx.deployVerticle(new ClusterVerticle(
              database.connectOptions(), config.cluster())).onSuccess(deployments::add)
              : Future.succeededFuture(id))
          // one instance: its pool bounds the custom tool calls of all agents together; before the agents, whose
          // resumed runs may call tools
          .compose(id -> vertx.deployVerticle(new SandboxVerticle(config.tools()))).onSuccess(deployments::add)
          .onSuccess(id -> phases.done("sandbox"))
          .compose(id -> vertx.deployVerticle(
              () -> new AgentVerticle(shards.getAndIncrement(), config),
              new DeploymentOptions().setInstances(config.agents().instances())))
          .onSuccess(deployments::add)
          .onSuccess(id -> phases.done("agents"))
          .onSuccess(id -> {
            if (config.cluster().enabled()) {
              // more agent verticles at run time: each a new slot of this node's placement (index after the last)
              AgentVerticles.share(vertx, count -> vertx.deployVerticle(
                      () -> new AgentVerticle(shards.getAndIncrement(), config),
                      new DeploymentOptions().setInstances(count))
                  .map(added -> {
                    synchronized (deployments) {
                      deployments.add(added);
                    }
                    return shards.get();
                  }));
            }
          })
          .compose(id -> vertx.deployVerticle(new SourceVerticle(config))).onSuccess(deployments::add)
          // one instance: each registered MCP server has one connection (and one child process) per server
          .compose(id -> vertx.deployVerticle(new McpVerticle(config.mcp()))).onSuccess(deployments::add)
          .onSuccess(id -> phases.done("sources and MCP"))
          .compose(id -> vertx.deployVerticle(() -> new MemoryVerticle(config),
              new DeploymentOptions().setInstances(config.memory().instances())))
          .onSuccess(deployments::add)
          .onSuccess(id -> phases.done("memory"))
          .compose(id -> vertx.deployVerticle(() -> new HttpVerticle(http),
              new DeploymentOptions().setInstances(server.instances())))
          .onSuccess(deployments::add)
          .onSuccess(id -> phases.done("http"))
          .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      closeWhenStarted(databaseStart);
      throw e;
    }
    DatabaseLauncher database = databaseStart.join();
    String scheme = server.useSsl() ? "https" : "http";
    LOG.info("Engram running on {}://{}:{} (Press CTRL+C to quit)", scheme, server.host(), port);
    LOG.info("Start phases: {}", phases.summary());
    if (!config.llm().configured()) {
      LOG.warn("No LLM configured: message routes answer 503 until OPENAI_BASE_URL is set");
    }
    Future<Void> warmup = server.warmup() ? Warmup.start(vertx, config.llm().model(), !config.embedding().remote(),
        config.embedding().timeoutMs()) : Future.succeededFuture();
    EngramServer started = new EngramServer(vertx, database, deployments, port, adminPassword, scheme, warmup);
    Runtime.getRuntime().addShutdownHook(started.closeAtExit);
    return started;
  }

  /** The started database, or the start's own failure (an IllegalStateException stays one). */
  private static DatabaseLauncher awaitDatabase(CompletableFuture<DatabaseLauncher> start) throws Exception {
    try {
      return start.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** After a failed boot: stops the database once its start ends, if it started. */
  private static void closeWhenStarted(CompletableFuture<DatabaseLauncher> start) {
    try {
      start.join().close();
    } catch (CompletionException failedToo) {
      // nothing started, nothing to stop
    }
  }

  /** How long an HTTP request waits for the memory verticle: three LLM calls, each with all its retries. */
  private static long memoryTimeoutMs(EngramConfig config) {
    var llm = config.llm();
    return 3 * llm.timeoutMs() * (Math.max(0, llm.maxRetries()) + 1) + 30_000;
  }

  public int port() {
    return port;
  }

  public String adminPassword() {
    return adminPassword;
  }

  public String baseUrl() {
    return scheme + "://localhost:" + port;
  }

  /** Where this server's PostgreSQL is (the embedded one, or the configured one). */
  public PgConnectOptions databaseOptions() {
    return database.connectOptions();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Completes when the warm-up after the start ({@link Warmup}, setting WARMUP) is done. */
  public Future<Void> warmedUp() {
    return warmup;
  }

  /**
   * Stops the verticles in the reverse order of their start (HTTP first, so no new work comes in; the store and the
   * embedder last, so what is still running can finish or see the stop), then the embedded database. Closing again,
   * or from another thread meanwhile, waits for the first close and does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(closeAtExit);
    } catch (IllegalStateException exiting) {
      // the JVM is exiting: this may be the hook itself
    }
    try {
      Future<Void> closing = Future.succeededFuture();
      for (int i = deployments.size() - 1; i >= 0; i--) {
        String id = deployments.get(i);
        closing = closing.transform(previous -> vertx.undeploy(id));
      }
      closing = closing.transform(undeployed -> vertx.close());
      closing.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly", e);
    } finally {
      database.close();
    }
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, 0));
      return socket.getLocalPort();
    }
  }
}
