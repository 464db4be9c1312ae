package dev.engram.index;

/**
 * The score a row's first-pass score must reach to be among the best {@code pool} of one search's whole scan so far:
 * the weakest of the best {@code pool} first-pass scores its chunks have kept, shared by the threads that scan them.
 * A chunk then looks again only at its rows that reach both its own pool and this floor. Each chunk picking its own
 * best pool looked again at about 530 rows a chunk, nine chunks at 100,000 memories, each row a read from memory;
 * the scan as a whole needs its best pool only, so a row below the floor is one that {@code pool} others already
 * outrank.
 */
final class PoolFloor {
  private final TopHits<Void> best;
  private volatile float value = Float.NEGATIVE_INFINITY;

  PoolFloor(int pool) {
    best = new TopHits<>(pool);
  }

  /** The floor: negative infinity until {@code pool} scores have been offered. */
  float value() {
    return value;
  }

  /** Offers the scores {@code scores[row - from]} of {@code rows[0 .. count - 1]}. */
  synchronized void offer(float[] scores, int[] rows, int count, int from) {
    for (int i = 0; i < count; i++) {
      float score = scores[rows[i] - from];
      if (score > best.floor()) {
        best.offer(score, null);
      }
    }
    value = best.floor();
  }
}
