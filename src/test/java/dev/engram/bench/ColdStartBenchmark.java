package dev.engram.bench;

import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.TempHomes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cold start and warm-up of a server process on an existing home: how long from launching the JVM to
 * {@code /health/ready}, and how the first sends after that compare with the same process once warm. The server runs
 * as its own process, as users run it ({@code scripts/run.sh}: the jar, with its class data sharing archive, embedded
 * PostgreSQL), the scripted model in this one. {@code --launcher classes} starts {@code dev.engram.Main} from this
 * JVM's class path instead (no archive); {@code ENGRAM_CDS=off} in the environment starts run.sh without one,
 * {@code WARMUP=true} the server with its warm-up.
 *
 * <p>Usage: scripts/bench.sh cold-start [--starts 3] [--first 20] [--warm 2000] [--train FIRST]
 * [--java-opts "-XX:..."] [--launcher run.sh|classes]; {@code --train} is how many sends the first start serves: the
 * run whose classes the archive keeps.
 */
public final class ColdStartBenchmark {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ColdStartBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    int starts = Integer.parseInt(opts.getOrDefault("starts", "3"));
    int first = Integer.parseInt(opts.getOrDefault("first", "20"));
    int warm = Integer.parseInt(opts.getOrDefault("warm", "2000"));
    int train = Integer.parseInt(opts.getOrDefault("train", String.valueOf(first)));
    String javaOpts = opts.getOrDefault("java-opts", "");
    boolean runScript = opts.getOrDefault("launcher", "run.sh").equals("run.sh");

    Vertx side = Vertx.vertx();
    ScriptedLlm llm = ScriptedLlm.start(side).toCompletionStage().toCompletableFuture().get();
    llm.fallbackIgnoringRequest(() -> ScriptedLlm.Step.sendMessage("Thinking briefly.", "Hello from the benchmark."));
    llm.keepRequests(false);
    Path home = TempHomes.create("engram-cold-");
    int port = ServerProcess.freePort();
    String base = "http://localhost:" + port;
    List<String> command = runScript ? List.of("scripts/run.sh") : ServerProcess.classPathCommand(javaOpts);
    Map<String, String> env = new HashMap<>(ServerProcess.environment(home, port, llm.baseUrl()));
    env.put("ENGRAM_LOG_LEVEL", "INFO"); // its Start phases line
    env.put("ENGRAM_JAVA_OPTS", runScript ? javaOpts : "");
    // the server inherits this environment: ENGRAM_CDS=off compares without the archive, WARMUP=true with the warm-up
    System.out.printf("launcher: %s; WARMUP=%s; java options: %s%n", runScript ? "scripts/run.sh (ENGRAM_CDS="
        + System.getenv().getOrDefault("ENGRAM_CDS", "on") + ")" : "class path",
        System.getenv().getOrDefault("WARMUP", "false"), javaOpts.isBlank() ? "(none)" : javaOpts);

    // the first start makes the home (the database cluster, the indexes) and, when run.sh finds none for the jar,
    // the class data sharing archive (at its stop, with the classes of the sends it served, as a user's first run
    // would); run.sh may build the jar first: not what is measured
    ServerProcess process = ServerProcess.launch(command, home, port, env);
    long made = process.awaitReady(600);
    String agentId = new JsonObject(post(base + "/api/agents", "{\"config\":{\"name\":\"cold\"}}"))
        .getJsonObject("agent_state").getString("id");
    for (int n = 0; n < train; n++) {
      send(base, agentId);
    }
    process.close();
    System.out.printf("%-26s %.0f ms (a new home: database cluster created)%n", "first start to ready",
        made / 1e6);

    for (int i = 1; i <= starts; i++) {
      process = ServerProcess.launch(command, home, port, env);
      long ready = process.awaitReady(120);
      long[] firsts = new long[first];
      for (int n = 0; n < first; n++) {
        firsts[n] = send(base, agentId);
      }
      long[] warmed = new long[warm];
      for (int n = 0; n < warm; n++) {
        warmed[n] = send(base, agentId);
      }
      process.close();
      long[] tail = Arrays.copyOfRange(warmed, warm / 2, warm);
      Arrays.sort(tail);
      double warmP50 = tail[tail.length / 2] / 1e6;
      double firstTen = Arrays.stream(firsts, 0, Math.min(10, first)).average().orElse(0) / 1e6;
      System.out.printf("start %d: ready in %.0f ms; first send %.1f ms, mean of the first %d %.1f ms, warm p50 %.2f ms"
          + " (last %d of %d sends); first %d / warm = %.2f%n", i, ready / 1e6, firsts[0] / 1e6,
          Math.min(10, first), firstTen, warmP50, tail.length, warm, Math.min(10, first), firstTen / warmP50);
      try (var lines = Files.lines(home.resolve("server.log"))) {
        lines.filter(line -> line.contains("Start phases: ")).findFirst()
            .ifPresent(line -> System.out.println("  " + line.substring(line.indexOf("Start phases: "))));
      }
    }
    side.close();
    System.exit(0);
  }

  private static long send(String base, String agentId) throws Exception {
    long start = System.nanoTime();
    String body = post(base + "/api/agents/" + agentId + "/messages",
        "{\"message\":\"What is the meaning of life?\",\"stream\":true}");
    if (!body.endsWith("data: [DONE]\n\n")) {
      throw new IllegalStateException("stream did not end with [DONE]: " + body);
    }
    return System.nanoTime() - start;
  }

  private static String post(String url, String json) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("authorization",
        "Bearer bench").header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }
}
