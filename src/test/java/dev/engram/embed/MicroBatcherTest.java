package dev.engram.embed;

import static dev.engram.embed.OpenAiEmbedderTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The batching machinery with a plain batch function (vector = [text length, first char]), no model needed. */
class MicroBatcherTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  private static float[][] describe(List<String> texts) {
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text.equals("boom")) {
        throw new IllegalStateException("the batch function failed");
      }
      out[i] = new float[] {text.length(), text.isEmpty() ? 0 : text.charAt(0)};
    }
    return out;
  }

  @Test
  void requestsQueuedWhileARunnerIsBusyShareOneBatchAndKeepTheirOrder() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (MicroBatcher batcher = new MicroBatcher("test-batch", texts -> {
      started.countDown();
      release.await(10, TimeUnit.SECONDS);
      return describe(texts);
    }, 64, 0, 1)) {
      Context context = vertx.getOrCreateContext();
      Future<List<float[]>> first = batcher.submit(context, List.of("a"));
      assertTrue(started.await(10, TimeUnit.SECONDS));
      List<Future<List<float[]>>> queued = new ArrayList<>();
      for (int i = 1; i <= 30; i++) {
        queued.add(batcher.submit(context, List.of("x".repeat(i), "y".repeat(i))));
      }
      release.countDown();
      assertEquals(1f, await(first).get(0)[0]);
      for (int i = 1; i <= 30; i++) {
        List<float[]> vectors = await(queued.get(i - 1));
        assertEquals(i, vectors.get(0)[0]);
        assertEquals('x', vectors.get(0)[1]);
        assertEquals('y', vectors.get(1)[1]);
      }
      MicroBatcher.Stats stats = batcher.stats();
      assertEquals(61, stats.texts());
      assertEquals(2, stats.batches(), "one lone text, then the 60 that queued behind it");
      assertEquals(1, stats.sizes()[1]);
      assertEquals(1, stats.sizes()[60]);
    }
  }

  @Test
  void aRequestLargerThanTheBatchSizeIsSpreadOverBatches() throws Exception {
    try (MicroBatcher batcher = new MicroBatcher("test-batch", MicroBatcherTest::describe, 4, 0, 2)) {
      List<String> texts = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        texts.add("t".repeat(i));
      }
      List<float[]> vectors = await(batcher.submit(vertx.getOrCreateContext(), texts));
      for (int i = 1; i <= 10; i++) {
        assertEquals(i, vectors.get(i - 1)[0]);
      }
      assertTrue(batcher.stats().batches() >= 3);
    }
  }

  @Test
  void aFailingBatchFailsItsRequestsAndTheBatcherCarriesOn() throws Exception {
    try (MicroBatcher batcher = new MicroBatcher("test-batch", MicroBatcherTest::describe, 8, 0, 1)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> await(batcher.submit(vertx.getOrCreateContext(), List.of("fine", "boom"))));
      assertInstanceOf(IllegalStateException.class, e.getCause());
      assertEquals(4f, await(batcher.submit(vertx.getOrCreateContext(), List.of("next"))).get(0)[0]);
    }
  }

  @Test
  void futuresCompleteOnTheCallersContext() throws Exception {
    try (MicroBatcher batcher = new MicroBatcher("test-batch", MicroBatcherTest::describe, 8, 0, 1)) {
      Context context = vertx.getOrCreateContext();
      var thread = new java.util.concurrent.CompletableFuture<Boolean>();
      context.runOnContext(v -> batcher.submit(context, List.of("where"))
          .onComplete(ar -> thread.complete(Vertx.currentContext() == context)));
      assertTrue(thread.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void closingFailsWhatIsStillQueued() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    MicroBatcher batcher = new MicroBatcher("test-batch", texts -> {
      started.countDown();
      Thread.sleep(200);
      return describe(texts);
    }, 1, 0, 1);
    Context context = vertx.getOrCreateContext();
    Future<List<float[]>> running = batcher.submit(context, List.of("running"));
    started.await(10, TimeUnit.SECONDS);
    Future<List<float[]>> waiting = batcher.submit(context, List.of("waiting"));
    batcher.close();
    assertEquals(7f, await(running).get(0)[0]);
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(waiting));
    assertEquals(ErrorKind.UNAVAILABLE, assertInstanceOf(ApiException.class, e.getCause()).kind());
    e = assertThrows(ExecutionException.class, () -> await(batcher.submit(context, List.of("late"))));
    assertEquals(ErrorKind.UNAVAILABLE, assertInstanceOf(ApiException.class, e.getCause()).kind());
  }
}
