package dev.engram.archival;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.EngramProcess;
import dev.engram.testkit.ScriptedEmbeddings;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A server stopped or killed in the middle of an upload job leaves it neither stuck nor half loaded: the next start
 * runs it again from the upload kept in PostgreSQL, to exactly the passages the file gives.
 */
class JobRecoveryTest {
  private static final int DIM = 16;

  private Vertx vertx;
  private ScriptedEmbeddings embeddings;
  private Map<String, String> remote;

  @BeforeEach
  void startEmbeddings() throws Exception {
    vertx = Vertx.vertx();
    embeddings = ScriptedEmbeddings.start(vertx, DIM).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    remote = Map.of("EMBEDDING_BASE_URL", embeddings.baseUrl(), "EMBEDDING_MODEL", "scripted",
        "EMBEDDING_DIM", String.valueOf(DIM), "EMBEDDING_TIMEOUT_MS", "60000");
  }

  @AfterEach
  void stopEmbeddings() {
    embeddings.close();
    vertx.close();
  }

  @Test
  @DisplayName("kill -9 while a job embeds: after a restart the job completes with exactly the file's passages")
  void jobCutShortByKillCompletesAfterRestart() throws Exception {
    Path home = TempHomes.create("engram-job-kill-");
    byte[] file = timetable(60);
    String key;
    String sourceId;
    String jobId;
    embeddings.delayMs(30_000);
    try (EngramProcess engram = EngramProcess.start(home, remote)) {
      Api api = engram.api;
      key = api.newUser().getString("api_key");
      sourceId = SourcesApiTest.createSourceWith(api, key, "killed").getString("id");
      jobId = upload(api, key, sourceId, "timetable.txt", file);
      awaitRunning(api, key, jobId);
      engram.kill();
    }
    try (Stream<Path> left = Files.list(home.resolve("uploads"))) {
      assertEquals(List.of(home.resolve("uploads/incoming")), left.toList(), "no upload kept on the local disk");
    }

    embeddings.delayMs(0);
    try (TestServer restarted = TestServer.start(home, remote)) {
      Api api = restarted.checkedApi();
      JsonObject done = SourcesApiTest.awaitJob(api, key, jobId);
      assertEquals("completed", done.getString("status"), done.encode());
      List<String> recovered = passageTexts(api, key, sourceId);
      String freshSource = SourcesApiTest.createSourceWith(api, key, "fresh").getString("id");
      JsonObject fresh = SourcesApiTest.awaitJob(api, key, upload(api, key, freshSource, "timetable.txt", file));
      assertEquals("completed", fresh.getString("status"), fresh.encode());
      List<String> expected = passageTexts(api, key, freshSource);
      assertTrue(expected.size() > 1, "the file makes several passages: " + expected);
      assertEquals(expected, recovered, "the file's passages, each once");
      assertEquals(expected.size(), done.getJsonObject("metadata_").getInteger("num_passages"));
    }
  }

  @Test
  @DisplayName("a stop while a job embeds leaves it running; the next start completes it")
  void jobCutShortByStopCompletesAfterRestart() throws Exception {
    Path home = TempHomes.create("engram-job-stop-");
    String key;
    String sourceId;
    String jobId;
    embeddings.delayMs(30_000);
    try (TestServer first = TestServer.start(home, remote)) {
      Api api = first.api;
      key = api.newUser().getString("api_key");
      sourceId = SourcesApiTest.createSourceWith(api, key, "interrupted").getString("id");
      jobId = upload(api, key, sourceId, "kept.txt", "The ferry leaves at seven.".getBytes(StandardCharsets.UTF_8));
      awaitRunning(api, key, jobId);
    }
    embeddings.delayMs(0);
    try (TestServer second = TestServer.start(home, remote)) {
      Api api = second.api;
      JsonObject done = SourcesApiTest.awaitJob(api, key, jobId);
      assertEquals("completed", done.getString("status"), done.encode());
      assertEquals(List.of("The ferry leaves at seven."), passageTexts(api, key, sourceId));
    }
  }

  /** {@code lines} distinct sentences, a paragraph every ten: several chunks, each different. */
  static byte[] timetable(int lines) {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= lines; i++) {
      text.append("Ferry number ").append(i).append(" leaves pier ").append(i % 7).append(" at ").append(i % 24)
          .append(" o'clock for the island of harbour ").append(i * 31).append(". ");
      if (i % 10 == 0) {
        text.append("\n\n");
      }
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The texts of a source's passages, sorted. */
  private static List<String> passageTexts(Api api, String key, String sourceId) {
    List<String> texts = new ArrayList<>();
    api.get("/api/sources/" + sourceId + "/passages", key).json().getJsonArray("passages")
        .forEach(p -> texts.add(((JsonObject) p).getString("text")));
    texts.sort(null);
    return texts;
  }

  private static String upload(Api api, String key, String sourceId, String name, byte[] content) {
    Api.Response r = api.upload("/api/sources/" + sourceId + "/upload", key, "file", name, content);
    assertEquals(200, r.status(), r.body());
    return r.json().getString("id");
  }

  private static void awaitRunning(Api api, String key, String jobId) throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      if ("running".equals(api.get("/api/sources/status/" + jobId, key).json().getString("status"))) {
        return;
      }
      Thread.sleep(25);
    }
    fail("job " + jobId + " never started");
  }
}
