package dev.engram.archival;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedEmbeddings;
import dev.engram.testkit.TestServer;
import dev.engram.testkit.TempHomes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A server stopped in the middle of upload jobs leaves none of them running: they resume or end failed. */
class JobRecoveryTest {
  private static final int DIM = 16;

  @Test
  @DisplayName("after a stop mid-job, a restart resumes the job whose file is kept and fails the one whose file is gone")
  void unfinishedJobsResumeOrFail() throws Exception {
    Vertx vertx = Vertx.vertx();
    ScriptedEmbeddings embeddings = ScriptedEmbeddings.start(vertx, DIM).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    Path home = TempHomes.create("engram-jobs-");
    Map<String, String> remote = Map.of("EMBEDDING_BASE_URL", embeddings.baseUrl(), "EMBEDDING_MODEL", "scripted",
        "EMBEDDING_DIM", String.valueOf(DIM), "EMBEDDING_TIMEOUT_MS", "60000");
    String key;
    String sourceId;
    String resumed;
    String orphaned;
    try {
      embeddings.delayMs(30_000);
      TestServer first = TestServer.start(home, remote);
      try {
        Api api = first.api;
        key = api.newUser().getString("api_key");
        sourceId = SourcesApiTest.createSourceWith(api, key, "interrupted").getString("id");
        resumed = upload(api, key, sourceId, "kept.txt", "The ferry leaves at seven.");
        orphaned = upload(api, key, sourceId, "lost.txt", "The bus leaves at eight.");
        awaitRunning(api, key, resumed);
      } finally {
        first.close();
      }
      Path lost;
      try (Stream<Path> files = Files.list(home.resolve("uploads"))) {
        lost = files.filter(Files::isRegularFile).filter(p -> read(p).contains("bus")).findFirst().orElseThrow();
      }
      Files.delete(lost);

      embeddings.delayMs(0);
      TestServer second = TestServer.start(home, remote);
      try {
        Api api = second.api;
        JsonObject done = SourcesApiTest.awaitJob(api, key, resumed);
        assertEquals("completed", done.getString("status"), done.encode());
        JsonObject failed = SourcesApiTest.awaitJob(api, key, orphaned);
        assertEquals("failed", failed.getString("status"), failed.encode());
        assertTrue(failed.getJsonObject("metadata_").getString("error").contains("upload the file again"));
        String passages = api.get("/api/sources/" + sourceId + "/passages", key).body();
        assertTrue(passages.contains("ferry") && !passages.contains("bus"), passages);
      } finally {
        second.close();
      }
    } finally {
      embeddings.close();
      vertx.close();
    }
  }

  private static String upload(Api api, String key, String sourceId, String name, String text) {
    Api.Response r = api.upload("/api/sources/" + sourceId + "/upload", key, "file", name,
        text.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, r.status(), r.body());
    return r.json().getString("id");
  }

  private static void awaitRunning(Api api, String key, String jobId) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if ("running".equals(api.get("/api/sources/status/" + jobId, key).json().getString("status"))) {
        return;
      }
      Thread.sleep(25);
    }
    fail("job " + jobId + " never started");
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
