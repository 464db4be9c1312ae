package dev.engram.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Engram as a separate JVM ({@code java -cp <the tests' class path> dev.engram.Main --home H --port P}) with the test
 * settings of {@link TestServer}, so that a test can kill it with {@code kill -9} the way a crash would. Its output
 * goes to {@code H/engram-process.log}.
 */
public final class EngramProcess implements AutoCloseable {
  private final Process process;
  private final Path home;
  public final Api api;

  private EngramProcess(Process process, Path home, int port) {
    this.process = process;
    this.home = home;
    this.api = new Api("http://localhost:" + port);
  }

  /** Starts Engram on {@code home} and waits until it answers /health. */
  public static EngramProcess start(Path home) throws Exception {
    return start(home, Map.of());
  }

  /** As {@link #start(Path)}, with more environment variables (e.g. {@code LOG_FORMAT}). */
  public static EngramProcess start(Path home, Map<String, String> moreEnv) throws Exception {
    return start(home, moreEnv, List.of("-Xmx512m", "-XX:TieredStopAtLevel=1"));
  }

  /**
   * As {@link #start(Path, Map)}, with these JVM options instead of the tests' (a small heap, and only the quick JIT
   * tier, which starts the processes of a test sooner): a benchmark wants the server as users run it.
   */
  public static EngramProcess start(Path home, Map<String, String> moreEnv, List<String> jvmOptions)
      throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path config = home.resolve("test-config.yaml");
    Files.writeString(config, "# settings come from the environment\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // surefire runs the tests from a manifest-only jar; it names the real class path in this property
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    // no --add-modules jdk.incubator.vector (scripts/run.sh adds it): the JVM would print its incubator warning into
    // the output that LogFormatTest reads as JSON lines, and these processes can scan vectors with the scalar loop
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, "dev.engram.Main", "--home", home.toString(), "--port",
        Integer.toString(port)));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("engram-process.log").toFile()));
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("POSTGRES_") || name.equals("DATABASE_URL"));
    env.putAll(Map.of("ENGRAM_CONFIG", config.toString(), "MEMGPT_SERVER_PASS", TestServer.ADMIN,
        "OPENAI_BASE_URL", TestServer.llm().baseUrl(), "LLM_MODEL", "gpt-4", "LLM_TIMEOUT_MS", "5000",
        "LLM_MAX_RETRIES", "1", "HTTP_INSTANCES", "1", "AGENT_INSTANCES", "1", "MEMORY_INSTANCES", "1",
        "API_KEY", TestServer.STATIC_KEY));
    env.putAll(moreEnv);
    EngramProcess engram = new EngramProcess(builder.start(), home, port);
    engram.awaitHealthy(Duration.ofSeconds(90));
    return engram;
  }

  private void awaitHealthy(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Engram exited with " + process.exitValue() + ": " + output());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api.base() + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    close();
    throw new IllegalStateException("Engram did not become healthy within " + timeout + ": " + output());
  }

  public long pid() {
    return process.pid();
  }

  /** {@code kill -9} of the JVM alone; waits until it is gone. */
  public void kill() throws Exception {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** What the process wrote so far. */
  public String output() throws IOException {
    Path log = home.resolve("engram-process.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** Stops it as Ctrl-C would (its shutdown hook stops the server and its database). */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
