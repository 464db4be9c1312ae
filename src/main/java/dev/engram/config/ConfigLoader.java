package dev.engram.config;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.engram.llm.LlmSettings;
import dev.engram.embed.EmbeddingSettings;
import dev.engram.http.MetricsAccess;
import dev.engram.index.IndexSettings;
import dev.engram.index.LuceneTuning;
import dev.engram.sandbox.Limits;
import dev.engram.sandbox.SandboxSettings;
import dev.engram.mcp.McpSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds {@link EngramConfig} from, in increasing precedence: built-in defaults, the YAML or JSON file
 * ({@code ENGRAM_CONFIG}, else {@code conf/engram.yaml} when present), environment variables, then explicit
 * overrides (command-line flags). Keys are flat and upper-case, the same in the file and the environment.
 */
public final class ConfigLoader {
  public static final String DEFAULT_FILE = "conf/engram.yaml";
  private static final String OPENAI_DEFAULT_URL = "https://api.openai.com/v1";

  private final Map<String, String> values = new HashMap<>();

  private ConfigLoader() {}

  public static EngramConfig load(Map<String, String> env, Map<String, String> overrides) {
    ConfigLoader loader = new ConfigLoader();
    // the file is chosen with the same precedence as every setting: a flag (--config) beats the environment
    String file = overrides.get("ENGRAM_CONFIG") != null ? overrides.get("ENGRAM_CONFIG") : env.get("ENGRAM_CONFIG");
    Path path = Path.of(file != null ? file : DEFAULT_FILE);
    if (Files.exists(path)) {
      loader.values.putAll(readFile(path));
    } else if (file != null) {
      throw new IllegalArgumentException("configuration file not found: " + path);
    }
    env.forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        loader.values.put(k, v);
      }
    });
    overrides.forEach((k, v) -> {
      if (v != null) {
        loader.values.put(k, v);
      }
    });
    return loader.build();
  }

  private static Map<String, String> readFile(Path path) {
    try {
      ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
      var tree = mapper.readTree(path.toFile());
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        return Map.of();
      }
      Map<String, Object> raw = mapper.convertValue(tree, new TypeReference<Map<String, Object>>() {});
      Map<String, String> flat = new HashMap<>();
      if (raw != null) {
        raw.forEach((k, v) -> {
          if (v != null) {
            flat.put(k, String.valueOf(v));
          }
        });
      }
      return flat;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read configuration file " + path, e);
    }
  }

  private EngramConfig build() {
    int cores = Runtime.getRuntime().availableProcessors();
    var server = new EngramConfig.Server(
        str("HOST", "localhost"), integer("PORT", 8283), bool("USE_SSL", false), str("SSL_CERT", null),
        str("SSL_KEY", null), integer("HTTP_INSTANCES", cores), longer("MAX_BODY_BYTES", 1024 * 1024),
        integer("EVENT_LOOPS", cores), longer("BODY_READ_TIMEOUT_MS", 30_000),
        MetricsAccess.parse(str("METRICS_ACCESS", "loopback")), bool("WARMUP", false));
    var database = new EngramConfig.Database(
        str("DATABASE_URL", null), str("POSTGRES_HOST", null), integer("POSTGRES_PORT", 5432),
        str("POSTGRES_DB", "engram"), str("POSTGRES_USER", "postgres"), str("POSTGRES_PASSWORD", null),
        integer("DB_POOL_SIZE", 8));
    String apiKey = str("OPENAI_API_KEY", null);
    String baseUrl = str("OPENAI_BASE_URL", apiKey != null ? OPENAI_DEFAULT_URL : null);
    var llm = new LlmSettings(baseUrl, apiKey, str("LLM_MODEL", "gpt-4o-mini"), integer("LLM_CONTEXT_WINDOW", 8192),
        longer("LLM_TIMEOUT_MS", 120_000), integer("LLM_MAX_RETRIES", 3), longer("LLM_RETRY_BASE_MS", 500),
        bool("LLM_STREAM", false));
    var agents = new EngramConfig.Agents(integer("AGENT_INSTANCES", cores), integer("MAX_CHAINING_STEPS", 10),
        integer("CORE_MEMORY_LIMIT", 2000), longer("STEP_TIMEOUT_MS", 600_000), str("TIMEZONE", "UTC"),
        longer("INPUT_WRITE_DELAY_MS", 20));
    var auth = new EngramConfig.Auth(str("JWT_SECRET", null), longer("JWT_TTL_SECONDS", 3600),
        str("API_KEY", null));
    var memory = new EngramConfig.Memory(integer("MEMORY_INSTANCES", cores), integer("MEMORY_ASYNC_WORKERS", 4),
        integer("WEBHOOK_ATTEMPTS", 5), longer("WEBHOOK_RETRY_BASE_MS", 1_000),
        bool("WEBHOOK_ALLOW_PRIVATE_URLS", false));
    String embeddingUrl = str("EMBEDDING_BASE_URL", null);
    var embedding = new EmbeddingSettings(embeddingUrl, str("EMBEDDING_API_KEY", null),
        str("EMBEDDING_MODEL", embeddingUrl == null ? EmbeddingSettings.LOCAL_MODEL : "text-embedding-3-small"),
        integer("EMBEDDING_DIM", embeddingUrl == null ? EmbeddingSettings.LOCAL_DIMENSION : 1536),
        integer("EMBEDDING_BATCH_SIZE", 32), longer("EMBEDDING_BATCH_WAIT_MS", 2),
        integer("EMBEDDING_THREADS", cores), longer("EMBEDDING_TIMEOUT_MS", 60_000));
    var index = new IndexSettings(str("VECTOR_INDEX", "lucene"), str("WEAVIATE_URL", null),
        str("WEAVIATE_GRPC", null), str("WEAVIATE_API_KEY", null), str("WEAVIATE_COLLECTION", "EngramPassage"),
        integer("VECTOR_EXACT_LIMIT", LuceneTuning.EXACT_LIMIT),
        integer("VECTOR_OVERSAMPLE", LuceneTuning.OVERSAMPLE), integer("VECTOR_HNSW_BEAM", LuceneTuning.HNSW_BEAM));
    var archival = new EngramConfig.Archival(integer("EMBEDDING_CHUNK_SIZE", 300),
        longer("MAX_UPLOAD_BYTES", 20L * 1024 * 1024));
    var standard = SandboxSettings.DEFAULT_LIMITS;
    var tools = new SandboxSettings(str("TOOL_PYTHON", null),
        integer("TOOL_POOL_SIZE", SandboxSettings.DEFAULT_POOL_SIZE),
        integer("TOOL_QUEUE", SandboxSettings.DEFAULT_MAX_WAITING),
        new Limits(integer("TOOL_CPU_SECONDS", standard.cpuSeconds()),
            integer("TOOL_WALL_SECONDS", standard.wallSeconds()), integer("TOOL_MEMORY_MB", standard.memoryMb()),
            integer("TOOL_OUTPUT_BYTES", standard.outputBytes()), integer("TOOL_PROCESSES", standard.processes()),
            Limits.DEFAULT_RETURN_CHARS, false), bool("TOOL_ALLOW_NETWORK", false));
    var mcp = new McpSettings(McpSettings.StdioPolicy.parse(str("MCP_STDIO", "admin")),
        bool("MCP_ALLOW_PRIVATE_URLS", false), longer("MCP_CALL_TIMEOUT_MS", 30_000),
        longer("MCP_CONNECT_TIMEOUT_MS", 30_000), integer("MCP_MAX_RESULT_CHARS", 50_000),
        integer("MCP_MAX_MESSAGE_BYTES", 4 * 1024 * 1024));
    var cluster = new EngramConfig.Cluster(bool("CLUSTER", false), str("CLUSTER_HOST", "127.0.0.1"),
        integer("CLUSTER_PORT", 5701), list(str("CLUSTER_MEMBERS", "")), str("CLUSTER_NAME", "engram"),
        integer("CLUSTER_SHARDS", 64), str("CLUSTER_NODE_NAME", null), longer("CLUSTER_LEASE_MS", 3_000));
    require(!cluster.enabled() || database.external(), "CLUSTER=true needs an external PostgreSQL shared by every"
        + " node (DATABASE_URL, or POSTGRES_HOST): the embedded database belongs to one process, and the nodes of a"
        + " cluster must all see one database");
    require(cluster.shards() > 0 && cluster.leaseMs() >= 500, "CLUSTER_SHARDS must be positive and CLUSTER_LEASE_MS"
        + " at least 500");
    require(cluster.port() > 0 && cluster.port() <= 65535, "CLUSTER_PORT must be between 1 and 65535");
    require(embedding.dimension() > 0 && embedding.batchSize() > 0 && embedding.threads() > 0,
        "EMBEDDING_DIM, EMBEDDING_BATCH_SIZE and EMBEDDING_THREADS must be positive");
    require(index.backend().equalsIgnoreCase("lucene") || index.weaviate(), "VECTOR_INDEX must be lucene or weaviate");
    require(!index.weaviate() || index.weaviateUrl() != null, "VECTOR_INDEX=weaviate needs WEAVIATE_URL");
    require(index.exactLimit() >= 0, "VECTOR_EXACT_LIMIT must not be negative");
    require(index.oversample() >= 1, "VECTOR_OVERSAMPLE must be at least 1");
    require(index.hnswBeam() >= 1 && index.hnswBeam() <= LuceneTuning.MAX_HNSW_BEAM,
        "VECTOR_HNSW_BEAM must be between 1 and " + LuceneTuning.MAX_HNSW_BEAM);
    require(archival.chunkTokens() >= 16, "EMBEDDING_CHUNK_SIZE must be at least 16 tokens");
    require(server.port() >= 0 && server.port() <= 65535, "PORT must be between 0 and 65535");
    require(server.instances() > 0 && agents.instances() > 0 && memory.instances() > 0,
        "HTTP_INSTANCES, AGENT_INSTANCES and MEMORY_INSTANCES must be positive");
    require(server.eventLoops() > 0, "EVENT_LOOPS must be positive");
    require(memory.asyncWorkers() > 0 && memory.webhookAttempts() > 0 && memory.webhookRetryBaseMs() >= 0,
        "MEMORY_ASYNC_WORKERS and WEBHOOK_ATTEMPTS must be positive, WEBHOOK_RETRY_BASE_MS not negative");
    require(server.bodyReadTimeoutMs() > 0, "BODY_READ_TIMEOUT_MS must be positive");
    require(agents.maxChainingSteps() > 0, "MAX_CHAINING_STEPS must be positive");
    require(agents.inputWriteDelayMs() >= 0, "INPUT_WRITE_DELAY_MS must not be negative");
    require(llm.contextWindow() >= 512, "LLM_CONTEXT_WINDOW must be at least 512");
    return new EngramConfig(server, Path.of(str("ENGRAM_HOME", "./data")).toAbsolutePath().normalize(),
        str("MEMGPT_SERVER_PASS", null), database, llm, agents, auth, embedding, index, archival, memory, tools,
        mcp, cluster);
  }

  private static java.util.List<String> list(String csv) {
    return java.util.Arrays.stream(csv.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
  }

  private String str(String key, String fallback) {
    String v = values.get(key);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private int integer(String key, int fallback) {
    return (int) longer(key, fallback);
  }

  private long longer(String key, long fallback) {
    String v = str(key, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
    }
  }

  private boolean bool(String key, boolean fallback) {
    String v = str(key, null);
    return v == null ? fallback : v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
