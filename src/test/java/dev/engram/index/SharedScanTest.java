package dev.engram.index;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Chunks claimed by the caller and a helper: each runs once, the best of all parts comes back, whoever ran them. */
@Timeout(30)
class SharedScanTest {
  private static final int CHUNKS = 40;

  @Test
  @DisplayName("with a free helper both threads scan; every chunk runs once; the best k of all chunks are kept")
  void helperShares() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Set<String> threads = ConcurrentHashMap.newKeySet();
      List<Integer> ran = new CopyOnWriteArrayList<>();
      TopHits<Integer> best = SharedScan.run(CHUNKS, 5, (chunk, into) -> {
        threads.add(Thread.currentThread().getName());
        ran.add(chunk);
        sleep(5); // long enough for the helper to start
        into.offer(chunk, chunk);
      }, pool);
      assertEquals(List.of(39, 38, 37, 36, 35), best.sorted((item, score) -> item));
      assertEquals(CHUNKS, ran.size());
      assertEquals(CHUNKS, Set.copyOf(ran).size());
      assertEquals(2, threads.size(), "the caller and the helper: " + threads);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("a helper that never starts (a busy pool) or runs everything inline: the same answer")
  void helperAbsentOrInline() {
    Executor never = task -> { };
    Executor inline = Runnable::run;
    for (Executor helper : new Executor[] {never, inline, null}) {
      TopHits<Integer> best = SharedScan.run(CHUNKS, 3, (chunk, into) -> into.offer(-chunk, chunk), helper);
      assertEquals(List.of(0, 1, 2), best.sorted((item, score) -> item));
    }
  }

  @Test
  @DisplayName("a chunk's failure reaches the caller, after the other chunks ended")
  void failureReachesTheCaller() {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      List<Integer> ran = new CopyOnWriteArrayList<>();
      var e = assertThrows(IllegalArgumentException.class, () -> SharedScan.run(CHUNKS, 3, (chunk, into) -> {
        ran.add(chunk);
        if (chunk == 7) {
          throw new IllegalArgumentException("dimensions");
        }
      }, pool));
      assertEquals("dimensions", e.getMessage());
      assertEquals(CHUNKS, ran.size());
    } finally {
      pool.shutdownNow();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
