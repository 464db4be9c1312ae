package dev.engram.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.testkit.ScriptedEmbeddings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible embedder against a real HTTP server that scripts answers and failures. */
class OpenAiEmbedderTest {
  private static final int DIM = 16;
  private static Vertx vertx;
  private static ScriptedEmbeddings server;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = await(ScriptedEmbeddings.start(vertx, DIM));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @BeforeEach
  void reset() {
    server.reset().dimension(DIM);
  }

  private static OpenAiEmbedder embedder(int batchSize, long timeoutMs) {
    var settings = new EmbeddingSettings(server.baseUrl() + "/", "sk-test", "text-embedding-test", DIM, batchSize, 2,
        2, timeoutMs);
    return new OpenAiEmbedder(vertx, settings, 5);
  }

  @Test
  void sendsModelInputsAndBearerKeyAndReturnsUnitVectorsInOrder() throws Exception {
    var embedder = embedder(32, 5_000);
    List<float[]> vectors = await(embedder.embed(List.of("first text", "second text", "third text")));

    assertEquals(1, server.received().size());
    var request = server.received().get(0);
    assertEquals("text-embedding-test", request.body().getString("model"));
    assertEquals(List.of("first text", "second text", "third text"), request.inputs());
    assertEquals("Bearer sk-test", request.authorization());
    assertEquals(3, vectors.size());
    for (int i = 0; i < 3; i++) {
      String text = List.of("first text", "second text", "third text").get(i);
      float[] expected = VectorMath.normalize(ScriptedEmbeddings.vectorOf(text, DIM));
      assertArrayEquals(expected, vectors.get(i), 1e-6f, text);
      assertEquals(1.0, VectorMath.norm(vectors.get(i)), 1e-5);
    }
    assertEquals("text-embedding-test", embedder.model());
    assertEquals(DIM, embedder.dimension());
    assertEquals("base64", request.body().getString("encoding_format"), "asks for base64, as OpenAI's clients do");
  }

  @Test
  void serversThatAnswerNumbersDespiteBase64AreReadToo() throws Exception {
    server.floatsOnly(true);
    List<float[]> vectors = await(embedder(32, 5_000).embed(List.of("numbers, please")));
    assertArrayEquals(VectorMath.normalize(ScriptedEmbeddings.vectorOf("numbers, please", DIM)), vectors.get(0),
        1e-6f);
  }

  @Test
  void embeddingsThatAreNotWholeFloatsAreRejected() {
    assertNull(OpenAiEmbedder.floats("AAAAAAA="), "five bytes are not whole floats");
    assertNull(OpenAiEmbedder.floats(42), "neither text nor numbers");
    assertArrayEquals(new float[] {1f}, OpenAiEmbedder.floats("AACAPw=="), "1.0f, little-endian");
  }

  @Test
  void manyCallersReachASlowEndpointAtOnce() throws Exception {
    var embedder = embedder(32, 5_000);
    server.delayMs(1_000);
    int callers = 16;
    List<Future<List<float[]>>> calls = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      calls.add(embedder.embed(List.of("text " + i)));
    }
    long deadline = System.currentTimeMillis() + 750;
    while (server.received().size() < callers && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(callers, server.received().size(), "requests held back behind a small connection pool");
    for (Future<List<float[]>> call : calls) {
      assertEquals(1, await(call).size());
    }
  }

  @Test
  void cutsLargeRequestsIntoCallsOfBatchSizeAndKeepsOrder() throws Exception {
    var embedder = embedder(2, 5_000);
    List<String> texts = List.of("a1", "b2", "c3", "d4", "e5");
    List<float[]> vectors = await(embedder.embed(texts));

    assertEquals(List.of(2, 2, 1), server.received().stream().map(r -> r.inputs().size()).sorted(
        (x, y) -> y - x).toList());
    for (int i = 0; i < texts.size(); i++) {
      assertArrayEquals(VectorMath.normalize(ScriptedEmbeddings.vectorOf(texts.get(i), DIM)), vectors.get(i), 1e-6f);
    }
  }

  @Test
  void wrongDimensionIsAnErrorNamingBothNumbers() {
    server.dimension(12);
    ApiException error = failure(embedder(32, 5_000).embed(List.of("hello")));
    assertEquals(ErrorKind.UPSTREAM, error.kind());
    assertTrue(error.getMessage().contains("12") && error.getMessage().contains("16"), error.getMessage());
  }

  @Test
  void retriesRateLimitsAndServerErrorsThenSucceeds() throws Exception {
    server.failWith(429, 500, 503);
    var embedder = embedder(32, 5_000);
    List<float[]> vectors = await(embedder.embed(List.of("persistent")));
    assertEquals(4, server.received().size());
    assertEquals(4, embedder.calls());
    assertArrayEquals(VectorMath.normalize(ScriptedEmbeddings.vectorOf("persistent", DIM)), vectors.get(0), 1e-6f);
  }

  @Test
  void givesUpAfterTheLastRetryWithTheUpstreamStatus() {
    server.failWith(500, 500, 500, 500, 500, 500);
    ApiException error = failure(embedder(32, 5_000).embed(List.of("doomed")));
    assertEquals(ErrorKind.UPSTREAM, error.kind());
    assertTrue(error.getMessage().contains("HTTP 500"), error.getMessage());
    assertEquals(OpenAiEmbedder.MAX_RETRIES + 1, server.received().size());
  }

  @Test
  void clientErrorsAreNotRetried() {
    server.failWith(401);
    ApiException error = failure(embedder(32, 5_000).embed(List.of("no key")));
    assertTrue(error.getMessage().contains("HTTP 401"), error.getMessage());
    assertEquals(1, server.received().size());
  }

  @Test
  void aSlowEndpointTimesOut() {
    server.delayMs(1_000);
    ApiException error = failure(embedder(32, 100).embed(List.of("slow")));
    assertEquals(ErrorKind.TIMEOUT, error.kind());
  }

  @Test
  void blankAndEmptyTextsStillGetVectors() throws Exception {
    List<float[]> vectors = await(embedder(32, 5_000).embed(List.of("", "   ")));
    assertEquals(2, vectors.size());
    assertEquals(1.0, VectorMath.norm(vectors.get(0)), 1e-5);
    assertEquals(List.of(" ", " "), server.received().get(0).inputs());
  }

  @Test
  void emptyListMakesNoCall() throws Exception {
    assertEquals(List.of(), await(embedder(32, 5_000).embed(List.of())));
    assertEquals(0, server.received().size());
  }

  @Test
  void nullTextIsABadRequest() {
    var texts = new java.util.ArrayList<String>();
    texts.add("fine");
    texts.add(null);
    assertEquals(ErrorKind.BAD_REQUEST, failure(embedder(32, 5_000).embed(texts)).kind());
    assertEquals(0, server.received().size());
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static ApiException failure(Future<?> future) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(future));
    return assertInstanceOf(ApiException.class, e.getCause());
  }
}
