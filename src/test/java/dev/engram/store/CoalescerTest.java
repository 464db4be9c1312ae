package dev.engram.store;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group commit: which requests go together, in which order, and who hears of a failure. */
class CoalescerTest {
  private Vertx vertx;
  private Context context;
  /** Batches as the writer saw them; requests are "key:value" strings keyed by what precedes the colon. */
  private final List<List<String>> batches = new ArrayList<>();
  /** Batches held open by the writer until the test completes them. */
  private final List<Promise<List<String>>> held = new ArrayList<>();
  private boolean hold;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Coalescer<String, String> coalescer(int maxInFlight, int maxBatch) {
    return new Coalescer<>(context, maxInFlight, maxBatch, r -> r.substring(0, r.indexOf(':')), batch -> {
      batches.add(List.copyOf(batch));
      if (batch.stream().anyMatch(r -> r.endsWith(":bad"))) {
        return Future.failedFuture("bad request in batch");
      }
      List<String> results = batch.stream().map(r -> "done " + r).toList();
      if (hold) {
        Promise<List<String>> p = Promise.promise();
        held.add(p);
        return p.future();
      }
      return Future.succeededFuture(results);
    });
  }

  /** Runs on the coalescer's event loop and waits for the outcome. */
  private <T> T onLoop(Supplier<Future<T>> work) throws Exception {
    Promise<T> out = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(out));
    return out.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("requests of one event-loop turn are written as one batch, each answered with its own result")
  void sameTurnGoesTogether() throws Exception {
    var c = coalescer(2, 64);
    List<String> answers = onLoop(() -> Future.all(c.submit("a:1"), c.submit("b:1"), c.submit("c:1"))
        .map(all -> List.of(all.<String>resultAt(0), all.resultAt(1), all.resultAt(2))));
    assertEquals(List.of("done a:1", "done b:1", "done c:1"), answers);
    assertEquals(List.of(List.of("a:1", "b:1", "c:1")), batches);
  }

  @Test
  @DisplayName("two requests of one key never share a batch and are written in arrival order")
  void oneKeyAtATime() throws Exception {
    var c = coalescer(4, 64);
    onLoop(() -> Future.all(c.submit("a:1"), c.submit("a:2"), c.submit("b:1"), c.submit("a:3")));
    assertEquals(List.of(List.of("a:1", "b:1"), List.of("a:2"), List.of("a:3")), batches);
  }

  @Test
  @DisplayName("batches wait while the in-flight limit is reached, then the waiting requests go together")
  void inFlightLimit() throws Exception {
    var c = coalescer(1, 64);
    hold = true;
    List<Future<String>> answers = onLoop(() -> Future.succeededFuture(new ArrayList<>(List.of(c.submit("a:1")))));
    onLoop(() -> Future.succeededFuture(answers.add(c.submit("b:1")) && answers.add(c.submit("c:1"))));
    onLoop(() -> Future.succeededFuture(answers.add(c.submit("d:1"))));
    assertEquals(List.of(List.of("a:1")), batches, "one batch in flight, the others wait");
    hold = false;
    onLoop(() -> {
      held.get(0).complete(List.of("done a:1"));
      return Future.all(answers.get(1), answers.get(2), answers.get(3));
    });
    assertEquals(List.of(List.of("a:1"), List.of("b:1", "c:1", "d:1")), batches);
    assertEquals("done d:1", answers.get(3).result());
  }

  @Test
  @DisplayName("when a batch fails, each request is written alone and only the faulty one fails")
  void failureIsolated() throws Exception {
    var c = coalescer(2, 64);
    List<Future<String>> answers = new ArrayList<>();
    onLoop(() -> {
      answers.add(c.submit("a:1"));
      answers.add(c.submit("b:bad"));
      answers.add(c.submit("c:1"));
      return Future.join(new ArrayList<>(answers)).transform(ar -> Future.succeededFuture());
    });
    assertEquals("done a:1", answers.get(0).result());
    assertTrue(answers.get(1).failed());
    assertEquals("done c:1", answers.get(2).result());
    assertEquals(List.of(List.of("a:1", "b:bad", "c:1")), batches.subList(0, 1));
    assertEquals(4, batches.size(), "the batch, then each of its three alone");
  }

  @Test
  @DisplayName("a batch holds at most the configured number of requests")
  void maxBatch() throws Exception {
    var c = coalescer(1, 2);
    onLoop(() -> Future.all(c.submit("a:1"), c.submit("b:1"), c.submit("c:1")));
    assertEquals(List.of(List.of("a:1", "b:1"), List.of("c:1")), batches);
  }
}
