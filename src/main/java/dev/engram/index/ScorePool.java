package dev.engram.index;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The rows of a first pass worth a second look: at least the best {@code pool} by their rough scores, found with a
 * histogram of the scores instead of a heap. A heap offered the 16,384 scores of a chunk in turn took 100-200 us
 * (about 1,600 of them enter a heap of 330, each sifted past branches no CPU predicts), more than the pass that
 * scored them; the histogram's three passes over the scores are branch-free but for the rare rows near the top.
 */
final class ScorePool {
  /** Buckets of the histogram: the pool's last bucket adds a few rows to it, not hundreds. */
  static final int BUCKETS = 1024;

  private ScorePool() {}

  /**
   * The rows {@code from + i} whose score {@code scores[i]} ({@code i < count}) is among the best {@code pool} of the
   * rows {@code keep} accepts, and those scoring as well as the pool's worst, give or take a bucket: every row the
   * best {@code pool} hold, in ascending order, a few more. All the rows {@code keep} accepts when they are no more
   * than {@code pool}.
   */
  static int[] best(float[] scores, int count, int pool, int from, IntPredicate keep) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < count; i++) {
      min = Math.min(min, scores[i]);
      max = Math.max(max, scores[i]);
    }
    if (!(max > min) || !Float.isFinite(max - min)) { // one score for all (or none that ranks): any row will do
      int[] all = collect(scores, count, from, keep, 0, 0, Integer.MIN_VALUE);
      return Arrays.copyOf(all, all.length - 1);
    }
    float perBucket = (BUCKETS - 1) / (max - min);
    int[] histogram = new int[BUCKETS];
    for (int i = 0; i < count; i++) {
      histogram[bucket(scores[i], min, perBucket)]++;
    }
    int need = pool;
    while (true) {
      int lowest = BUCKETS - 1;
      for (int above = histogram[lowest]; above < need && lowest > 0; above += histogram[--lowest]) {
        // down from the top bucket until the rows in and above it are enough
      }
      int[] rows = collect(scores, count, from, keep, min, perBucket, lowest);
      int skipped = rows[rows.length - 1];
      if (rows.length - 1 >= pool || lowest == 0 || skipped == 0) {
        return Arrays.copyOf(rows, rows.length - 1);
      }
      need = pool + skipped; // rows keep refused took places in the pool: reach lower (lowest falls: need > now)
    }
  }

  private static int bucket(float score, float min, float perBucket) {
    return Math.max(0, Math.min(BUCKETS - 1, (int) ((score - min) * perBucket)));
  }

  /** The rows in bucket {@code lowest} or above that {@code keep} accepts, then how many it refused (the last). */
  private static int[] collect(float[] scores, int count, int from, IntPredicate keep, float min, float perBucket,
      int lowest) {
    int[] rows = new int[16];
    int size = 0;
    int refused = 0;
    for (int i = 0; i < count; i++) {
      if (lowest == Integer.MIN_VALUE || bucket(scores[i], min, perBucket) >= lowest) {
        if (!keep.test(from + i)) {
          refused++;
          continue;
        }
        if (size + 1 == rows.length) {
          rows = Arrays.copyOf(rows, rows.length * 2);
        }
        rows[size++] = from + i;
      }
    }
    rows[size] = refused;
    return Arrays.copyOf(rows, size + 1);
  }
}
