package dev.engram.testkit;

import dev.engram.EngramServer;
import dev.engram.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Engram server for tests: embedded PostgreSQL in a temporary ENGRAM_HOME, real HTTP on an ephemeral port, and
 * the scripted OpenAI-compatible LLM as its model endpoint. {@link #shared()} is started once per test JVM.
 */
public final class TestServer implements AutoCloseable {
  public static final String ADMIN = "test-admin-password";
  /** The static API_KEY of test servers (the default user's key for the semantic-memory API). */
  public static final String STATIC_KEY = "test-static-api-key";

  private static TestServer shared;
  private static Vertx llmVertx;
  private static ScriptedLlm llm;

  private final EngramServer server;
  private final Path home;
  public final Api api;
  private Api checkedApi;

  private TestServer(EngramServer server, Path home) {
    this.server = server;
    this.home = home;
    this.api = new Api(server.baseUrl());
  }

  /** The scripted LLM every test server talks to (reset it at the start of each test). */
  public static synchronized ScriptedLlm llm() {
    if (llm == null) {
      llmVertx = Vertx.vertx();
      try {
        llm = ScriptedLlm.start(llmVertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the scripted LLM", e);
      }
    }
    return llm;
  }

  /** One server for the whole test run; closed when the JVM exits. */
  public static synchronized TestServer shared() {
    if (shared == null) {
      shared = start(TempHomes.create("engram-test-"), Map.of());
      TempHomes.closeAtExit(shared);
    }
    return shared;
  }

  /** Starts a server on {@code home} with test defaults, overridden by {@code overrides}. */
  public static TestServer start(Path home, Map<String, String> overrides) {
    Map<String, String> settings = new HashMap<>();
    settings.put("ENGRAM_HOME", home.toString());
    settings.put("ENGRAM_CONFIG", writeEmptyConfig(home).toString());
    settings.put("PORT", "0");
    settings.put("MEMGPT_SERVER_PASS", ADMIN);
    settings.put("OPENAI_BASE_URL", llm().baseUrl());
    settings.put("LLM_MODEL", "gpt-4");
    settings.put("LLM_TIMEOUT_MS", "5000");
    settings.put("LLM_MAX_RETRIES", "1");
    settings.put("LLM_RETRY_BASE_MS", "10");
    settings.put("HTTP_INSTANCES", "2");
    // off by default too; WarmupTest starts one with it
    settings.put("WARMUP", "false");
    settings.put("AGENT_INSTANCES", "2");
    settings.put("MEMORY_INSTANCES", "2");
    settings.put("API_KEY", STATIC_KEY);
    // the tests' MCP servers listen on loopback, which users may not register by default
    settings.put("MCP_ALLOW_PRIVATE_URLS", "true");
    // and their webhook receivers too
    settings.put("WEBHOOK_ALLOW_PRIVATE_URLS", "true");
    settings.put("WEBHOOK_RETRY_BASE_MS", "100");
    settings.putAll(overrides);
    try {
      return new TestServer(EngramServer.start(ConfigLoader.load(Map.of(), settings)), home);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the test server", e);
    }
  }

  private static Path writeEmptyConfig(Path home) {
    try {
      Path file = home.resolve("test-config.yaml");
      Files.writeString(file, "# test servers take their settings from TestServer\n");
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A client of this server that also checks every answer against the server's /openapi.json (its route, status and
   * JSON schema): a test class that uses it checks the document as a side effect.
   */
  public synchronized Api checkedApi() {
    if (checkedApi == null) {
      checkedApi = api.checked(OpenApiSchemas.of(api)::check);
    }
    return checkedApi;
  }

  public Path home() {
    return home;
  }

  public int port() {
    return server.port();
  }

  public EngramServer server() {
    return server;
  }

  @Override
  public void close() {
    server.close();
  }
}
