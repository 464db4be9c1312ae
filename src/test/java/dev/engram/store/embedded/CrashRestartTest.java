package dev.engram.store.embedded;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.EngramProcess;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Engram in a JVM of its own, killed with {@code kill -9}: with its database, every acknowledged send is still there
 * after a restart; without it, the next start stops the database left running and comes up at once.
 */
class CrashRestartTest {
  private static final int SENDS = 40;
  private static final Pattern MESSAGE = Pattern.compile("message-\\d+-[0-9a-f-]{36}");

  /** The model answers each send with "reply-to-" and the send's message, whatever else asks it meanwhile. */
  @BeforeEach
  void reset() {
    TestServer.llm().reset().replyingToLast(MESSAGE);
  }

  @Test
  @DisplayName("kill -9 of Engram and its PostgreSQL after 40 acknowledged sends: all 40 and their replies survive")
  void acknowledgedSendsSurviveACrash() throws Exception {
    Path home = TempHomes.create("engram-crash-");
    List<String> acknowledged = new ArrayList<>();
    String key;
    String agentId;
    try (EngramProcess engram = EngramProcess.start(home)) {
      Api api = engram.api;
      key = api.newUser().getString("api_key");
      agentId = api.newAgent(key, "Durable");
      for (int i = 0; i < SENDS; i++) {
        String message = "message-" + i + "-" + UUID.randomUUID();
        String reply = "reply-to-" + message;
        boolean stream = i % 2 == 1;
        String answer;
        if (stream) {
          List<String> events = api.stream("/api/agents/" + agentId + "/messages", key,
              new JsonObject().put("message", message).put("stream", true));
          assertEquals("[DONE]", events.get(events.size() - 1), "the stream ended: " + events);
          answer = String.join("\n", events);
        } else {
          Api.Response r = api.post("/api/agents/" + agentId + "/messages", key,
              new JsonObject().put("message", message).put("stream", false));
          assertEquals(200, r.status(), r.body());
          answer = r.body();
        }
        assertTrue(answer.contains(reply), "the reply came back: " + answer);
        acknowledged.add(message);
        acknowledged.add(reply);
      }
      List<ProcessHandle> database = postgresProcesses(home);
      database.forEach(ProcessHandle::destroyForcibly);
      engram.kill();
      for (ProcessHandle p : database) {
        p.onExit().get(30, TimeUnit.SECONDS);
      }
    }

    try (TestServer restarted = TestServer.start(home, Map.of())) {
      String recall = restarted.api.messages(agentId, key, 1000).encode();
      List<String> lost = acknowledged.stream().filter(text -> !recall.contains(text)).toList();
      assertEquals(List.of(), lost, "acknowledged messages and replies lost in the crash");
    }
  }

  @Test
  @DisplayName("a second Engram on a live home is refused; after kill -9 of Engram alone the next start is quick")
  void leftOverDatabaseIsStoppedAtTheNextStart() throws Exception {
    Path home = TempHomes.create("engram-stale-");
    String key;
    String agentId;
    long postmaster;
    try (EngramProcess first = EngramProcess.start(home)) {
      key = first.api.newUser().getString("api_key");
      agentId = first.api.newAgent(key, "Orphan");
      send(first.api, agentId, key, "before the second start");

      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> TestServer.start(home, Map.of()).close());
      String why = messages(refused);
      assertTrue(why.contains("is in use by another Engram (process " + first.pid() + " holds"), why);
      send(first.api, agentId, key, "after the second start was refused");

      postmaster = postgresProcesses(home).get(0).pid();
      first.kill();
    }
    assertTrue(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false),
        "the database outlived the killed Engram");

    long started = System.nanoTime();
    try (TestServer second = TestServer.start(home, Map.of())) {
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      assertTrue(seconds < 20, "took " + seconds + " s to start");
      assertFalse(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false),
          "the left-over database was stopped");
      String recall = second.api.messages(agentId, key, 100).encode();
      assertTrue(recall.contains("before the second start") && recall.contains("after the second start was refused"),
          recall);
    }
  }

  private static void send(Api api, String agentId, String key, String message) {
    Api.Response r = api.post("/api/agents/" + agentId + "/messages", key,
        new JsonObject().put("message", message).put("stream", false));
    assertEquals(200, r.status(), r.body());
  }

  /** The postmaster of the home (from postmaster.pid) and its children. */
  private static List<ProcessHandle> postgresProcesses(Path home) throws Exception {
    long pid = Long.parseLong(Files.readAllLines(home.resolve("pgdata/postmaster.pid")).get(0).strip());
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
    return Stream.concat(Stream.of(postmaster), postmaster.descendants()).toList();
  }

  private static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append('\n');
    }
    return all.toString();
  }
}
