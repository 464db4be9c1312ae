package dev.engram.index;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scan cut into chunks that the calling thread and one helper thread claim in turn, each keeping its own best hits,
 * merged at the end: one search's scan of a large owner then runs on both cores when the other is free. When the
 * helper's pool is busy (other searches), its task starts late, finds no chunk left and ends, and the caller has
 * scanned everything alone: the same work as without a helper, never a wait for one that has not started.
 */
final class SharedScan {
  /** Rows per chunk: about half a millisecond of scanning byte codes of 384 dimensions. */
  static final int CHUNK_ROWS = 16_384;

  /**
   * Each scanning thread's scores of a chunk, used again by its next chunk: a new array for each chunk came to 430 KB
   * a search at 100,000 (half of all it allocated), memory the CPU had to fetch and zero before the kernel wrote it.
   */
  private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[CHUNK_ROWS]);

  /** This thread's array for the scores of a chunk's {@code rows} rows (a new one past {@link #CHUNK_ROWS}). */
  static float[] scores(int rows) {
    float[] scores = SCORES.get();
    return rows <= scores.length ? scores : new float[rows];
  }

  /** Scans chunk {@code chunk} into {@code best}. */
  interface Work {
    void run(int chunk, TopHits<Integer> best);
  }

  private final int count;
  private final int k;
  private final Work work;
  private final AtomicInteger next = new AtomicInteger();
  private final List<TopHits<Integer>> parts = new ArrayList<>();
  private int finished;
  /** The first failure of a chunk (an error too: the caller must not wait for a chunk that never finishes). */
  private Throwable failure;

  private SharedScan(int count, int k, Work work) {
    this.count = count;
    this.k = k;
    this.work = work;
  }

  /** The best {@code k} of chunks {@code 0 .. count - 1}; {@code helper} null runs them all on the caller. */
  static TopHits<Integer> run(int count, int k, Work work, Executor helper) {
    var scan = new SharedScan(count, k, work);
    if (count > 1 && helper != null) {
      try {
        helper.execute(scan::take);
      } catch (RejectedExecutionException | IllegalStateException e) {
        // the pool is closing: the caller scans alone
      }
    }
    scan.take();
    return scan.merged();
  }

  /** Claims chunks until none is left. */
  private void take() {
    TopHits<Integer> own = null;
    for (int chunk = next.getAndIncrement(); chunk < count; chunk = next.getAndIncrement()) {
      if (own == null) {
        own = new TopHits<>(k);
        synchronized (this) {
          parts.add(own);
        }
      }
      Throwable failed = null;
      try {
        work.run(chunk, own);
      } catch (RuntimeException | Error e) {
        failed = e;
      }
      synchronized (this) { // after the chunk's writes to own: merged() reads them once all chunks are finished
        failure = failure == null ? failed : failure;
        if (++finished == count) {
          notifyAll();
        }
      }
    }
  }

  /** Waits for the chunks the helper claimed, then merges every part. */
  private synchronized TopHits<Integer> merged() {
    boolean interrupted = false;
    while (finished < count) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true; // the helper is running a chunk: it ends within a chunk's time
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    var best = new TopHits<Integer>(k);
    for (TopHits<Integer> part : parts) {
      best.offerAll(part);
    }
    return best;
  }
}
