package dev.engram.config;

import dev.engram.llm.LlmSettings;
import dev.engram.embed.EmbeddingSettings;
import dev.engram.http.MetricsAccess;
import dev.engram.index.IndexSettings;
import dev.engram.sandbox.SandboxSettings;
import dev.engram.mcp.McpSettings;
import java.nio.file.Path;

/** Everything the server is configured with, parsed once at start and handed to each verticle as its slice. */
public record EngramConfig(
    Server server,
    Path home,
    String adminPassword,
    Database database,
    LlmSettings llm,
    Agents agents,
    Auth auth,
    EmbeddingSettings embedding,
    IndexSettings index,
    Archival archival,
    Memory memory,
    SandboxSettings tools,
    McpSettings mcp,
    Cluster cluster) {

  /**
   * HTTP listener. {@code port} 0 picks a free port. {@code eventLoops}: Vert.x event-loop threads, which every
   * verticle instance shares. {@code bodyReadTimeoutMs}: how long a request body may go without a byte arriving before
   * the request is answered 408 and its connection closed. {@code metricsAccess}: who may read {@code /metrics}.
   */
  public record Server(String host, int port, boolean useSsl, String sslCert, String sslKey, int instances,
      long maxBodyBytes, int eventLoops, long bodyReadTimeoutMs, MetricsAccess metricsAccess, boolean warmup) {}

  /**
   * External PostgreSQL when {@code url} or {@code host} is set; otherwise the embedded server is started in
   * {@code home}/pgdata.
   */
  public record Database(String url, String host, int port, String name, String user, String password,
      int poolSize) {
    public boolean external() {
      return (url != null && !url.isBlank()) || (host != null && !host.isBlank());
    }
  }

  /**
   * Agent verticles and the step loop. {@code inputWriteDelayMs}: how long a send's input may wait to be written
   * together with the first step's result (one commit) before it is written on its own.
   */
  public record Agents(int instances, int maxChainingSteps, int coreMemoryLimit, long stepTimeoutMs,
      String timezone, long inputWriteDelayMs) {}

  /**
   * JWT signing ({@code jwtSecret} null means generated once and kept in {@code home}), and an optional static API key
   * ({@code API_KEY}) that acts as the default user, for clients of the semantic-memory API; none by default.
   */
  public record Auth(String jwtSecret, long jwtTtlSeconds, String staticApiKey) {}

  /**
   * Memory verticles (Mem0 add with inference, semantic-memory chat). {@code asyncWorkers}: how many asynchronous adds
   * each instance extracts at once (the rest wait, PENDING, in PostgreSQL). Webhooks of asynchronous adds are tried
   * {@code webhookAttempts} times, {@code webhookRetryBaseMs} apart and doubling; {@code webhookAllowPrivateUrls} lets
   * users other than the admin register loopback or private addresses.
   */
  public record Memory(int instances, int asyncWorkers, int webhookAttempts, long webhookRetryBaseMs,
      boolean webhookAllowPrivateUrls) {}

  /** Archival memory and sources: chunk size in tokens, and the largest file an upload may carry. */
  public record Archival(int chunkTokens, long maxUploadBytes) {}

  /**
   * Cluster mode ({@code enabled}; off by default): this node joins the members named in {@code members} (host:port of
   * their cluster ports, TCP-IP join, no multicast) under {@code name}, listening on {@code host}:{@code port}.
   * {@code shards}: how many placement units the agents are hashed into (the same on every node).
   * {@code nodeName}: how the node is named in logs and on /admin/cluster (host:port when not set).
   */
  public record Cluster(boolean enabled, String host, int port, java.util.List<String> members, String name,
      int shards, String nodeName, long leaseMs) {}
}
