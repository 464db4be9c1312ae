package dev.engram.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server a benchmark measures as its own JVM, started the way {@code scripts/run.sh} starts it ({@code dev.engram.Main}
 * with the Vector API module, full JIT, the embedded PostgreSQL of its home), so that its costs (CPU, heap, file
 * descriptors) are its own and not mixed with the benchmark's clients; or by any launcher ({@code scripts/run.sh}).
 * Admin password {@code bench}; its output goes to {@code server.log} of its home.
 */
final class ServerProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  final Path home;
  final int port;
  private final Process process;

  private ServerProcess(Path home, int port, Process process) {
    this.home = home;
    this.port = port;
    this.process = process;
  }

  /**
   * Launches the server on {@code home} with the scripted model at {@code llmBaseUrl}, from this JVM's class path;
   * {@code javaOpts} (space separated) and {@code moreEnv} are added to the defaults. Answers at once: call
   * {@link #awaitReady}.
   */
  static ServerProcess launch(Path home, String llmBaseUrl, String javaOpts, Map<String, String> moreEnv)
      throws IOException {
    int port = freePort();
    Map<String, String> env = new HashMap<>(environment(home, port, llmBaseUrl));
    env.putAll(moreEnv);
    return launch(classPathCommand(javaOpts), home, port, env);
  }

  /**
   * Runs {@code command} (a server launcher) with {@code env} added to this process's environment (less any database
   * settings of its own), its output in {@code server.log} of {@code home}, written anew.
   */
  static ServerProcess launch(List<String> command, Path home, int port, Map<String, String> env)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(home.resolve("server.log").toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("POSTGRES_") || name.equals("DATABASE_URL"));
    builder.environment().putAll(env);
    return new ServerProcess(home, port, builder.start());
  }

  /** The settings of a benchmark's server (a settings file of its own in {@code home}, logs at WARN). */
  static Map<String, String> environment(Path home, int port, String llmBaseUrl) throws IOException {
    Files.writeString(home.resolve("none.yaml"), "# benchmark\n");
    return Map.of("ENGRAM_HOME", home.toString(), "ENGRAM_CONFIG", home.resolve("none.yaml").toString(), "PORT",
        Integer.toString(port), "MEMGPT_SERVER_PASS", "bench", "OPENAI_BASE_URL", llmBaseUrl, "LLM_MODEL", "gpt-4",
        "ENGRAM_LOG_LEVEL", "WARN", "ENGRAM_ACCESS_LOG", "WARN");
  }

  /** {@code java dev.engram.Main} from this JVM's class path, with the Vector API module as scripts/run.sh adds it. */
  static List<String> classPathCommand(String javaOpts) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString()));
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    }
    if (javaOpts != null && !javaOpts.isBlank()) {
      command.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.engram.Main"));
    return command;
  }

  String baseUrl() {
    return "http://localhost:" + port;
  }

  long pid() {
    return process.pid();
  }

  /** Nanoseconds from now until {@code /health/ready} answers 200 (at most two minutes). */
  long awaitReady() throws Exception {
    return awaitReady(120);
  }

  /** Nanoseconds from now until {@code /health/ready} answers 200 (at most {@code seconds}). */
  long awaitReady(int seconds) throws Exception {
    long start = System.nanoTime();
    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited with " + process.exitValue() + "; see "
            + home.resolve("server.log"));
      }
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
            .timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return System.nanoTime() - start;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("not ready within " + seconds + " s; the end of its log:\n" + logTail(40));
  }

  /** The last {@code lines} lines of the server's log (what it was doing when a wait gave up). */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(home.resolve("server.log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The server's heap after a full GC (asked of it with {@code jcmd}), in bytes; -1 when jcmd cannot tell. */
  long heapAfterGc() throws Exception {
    jcmd("GC.run");
    Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  /** The server's resident memory, in bytes ({@code VmRSS} of /proc; -1 elsewhere). */
  long residentBytes() throws IOException {
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    return -1;
  }

  /** The file descriptors the server has open (-1 where /proc cannot tell). */
  long openFiles() {
    String[] fds = Path.of("/proc", Long.toString(process.pid()), "fd").toFile().list();
    return fds == null ? -1 : fds.length;
  }

  /** The CPU time the server's JVM has used so far, in nanoseconds (-1 if the platform cannot tell). */
  long cpuNanos() {
    return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  private String jcmd(String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  /** SIGTERM, as an operator stops it: the server closes its database cleanly. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
