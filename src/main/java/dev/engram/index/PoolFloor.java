package dev.engram.index;

import java.util.Arrays;

/**
 * The score a row's first-pass score must reach to be among the best {@code pool} of one search's whole scan so far:
 * the weakest of the best {@code pool} first-pass scores its chunks have kept, shared by the threads that scan them.
 * A chunk then looks again only at its rows that reach both its own pool and this floor. Each chunk picking its own
 * best pool looked again at about 530 rows a chunk, nine chunks at 100,000 memories, each row a read from memory;
 * the scan as a whole needs its best pool only, so a row below the floor is one that {@code pool} others already
 * outrank.
 *
 * <p>A chunk's scores are added to those kept, and when they are {@code pool} or more, a selection finds the pool's
 * weakest and drops the rest: a few microseconds a chunk. A heap offered each score in turn (some 2,500 a search at
 * 100,000, each sifted past branches no CPU predicts) held a sixth of a search's Java samples (JFR); the selection
 * took 0.05 ms off a search's CPU (performance notes).
 */
final class PoolFloor {
  private final int pool;
  /** The best {@code pool} scores offered so far (fewer until that many were), then those of the chunk at hand. */
  private float[] kept;
  private int size;
  private volatile float value = Float.NEGATIVE_INFINITY;

  PoolFloor(int pool) {
    this.pool = pool;
    kept = new float[Math.max(1, 2 * pool)];
  }

  /** How many of the best first-pass scores the floor stands under. */
  int pool() {
    return pool;
  }

  /** The floor: negative infinity until {@code pool} scores have been offered. */
  float value() {
    return value;
  }

  /** Offers the scores {@code scores[row - from]} of {@code rows[0 .. count - 1]}. */
  synchronized void offer(float[] scores, int[] rows, int count, int from) {
    if (pool <= 0) {
      value = Float.POSITIVE_INFINITY; // nothing is wanted
      return;
    }
    if (size + count > kept.length) {
      kept = Arrays.copyOf(kept, Math.max(2 * kept.length, size + count));
    }
    float floor = value;
    for (int i = 0; i < count; i++) {
      float score = scores[rows[i] - from];
      if (score > floor) {
        kept[size++] = score;
      }
    }
    if (size >= pool) {
      int weakest = size - pool; // in ascending order: the pool's weakest, the pool above it
      select(kept, size, weakest);
      System.arraycopy(kept, weakest, kept, 0, pool);
      size = pool;
      value = kept[0];
    }
  }

  /**
   * Reorders {@code a[0 .. size - 1]} so that {@code a[k]} holds the value it would hold sorted ascending, none
   * before it greater and none after it smaller (Hoare's selection, the middle element as pivot).
   */
  static void select(float[] a, int size, int k) {
    int lo = 0;
    int hi = size - 1;
    while (lo < hi) {
      float pivot = a[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float t = a[i];
          a[i++] = a[j];
          a[j--] = t;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return; // between j and i: every value there equals the pivot
      }
    }
  }
}
