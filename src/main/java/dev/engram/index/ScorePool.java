package dev.engram.index;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The rows of a first pass worth a second look: at least the best {@code pool} by their rough scores, found by a
 * threshold instead of a heap. A heap offered the 16,384 scores of a chunk in turn took about 110 us (some 1,600 of
 * them enter a heap of 330, each sifted past branches no CPU predicts), more than the native pass that scored them.
 * Here a histogram of every {@link #SAMPLE_EVERY}th score sets a threshold with room to spare, and one pass of
 * comparisons, predictable but for the rare rows above it, collects the rows that reach it; if they are too few
 * (the sample misled, or {@code keep} refused some), a lower threshold is tried.
 */
final class ScorePool {
  /** Buckets of the sample's histogram. */
  static final int BUCKETS = 256;
  /** One score in this many is sampled. */
  static final int SAMPLE_EVERY = 8;

  private ScorePool() {}

  /**
   * The rows {@code from + i} ({@code i < count}) that {@code keep} accepts and whose score {@code scores[i]} reaches a
   * threshold, in ascending order: every row of the best {@code pool} of those {@code keep} accepts, and up to about
   * half as many more; all the rows it accepts when they are no more than {@code pool}. Only rows whose score reaches
   * {@code floor} are taken, so fewer may come back: where the caller knows {@code pool} rows elsewhere that reach it.
   */
  static int[] best(float[] scores, int count, int pool, int from, IntPredicate keep, float floor) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < count; i += SAMPLE_EVERY) {
      min = Math.min(min, scores[i]);
      max = Math.max(max, scores[i]);
    }
    if (count <= pool || !(max > min) || !Float.isFinite(max - min)) { // nothing to rank, or nothing that ranks
      return collect(scores, count, from, keep, floor).rows;
    }
    float perBucket = BUCKETS / (max - min);
    int[] histogram = new int[BUCKETS];
    for (int i = 0; i < count; i += SAMPLE_EVERY) {
      histogram[Math.min(BUCKETS - 1, (int) ((scores[i] - min) * perBucket))]++;
    }
    int need = pool;
    int lowest = BUCKETS;
    while (true) {
      int wanted = (need + need / 2) / SAMPLE_EVERY + 4; // half as many again, against the sample's chance
      int bucket = BUCKETS - 1;
      for (int above = histogram[bucket]; above < wanted && bucket > 0; above += histogram[--bucket]) {
        // down from the top until the sampled scores in and above the bucket are enough
      }
      lowest = Math.min(bucket, lowest - 1); // a retry always reaches lower, so it ends
      float threshold = lowest <= 0 ? Float.NEGATIVE_INFINITY : min + lowest / perBucket;
      Collected found = collect(scores, count, from, keep, Math.max(threshold, floor));
      if (found.rows.length >= pool || lowest <= 0 || threshold <= floor) {
        return found.rows;
      }
      need = (int) Math.min(Integer.MAX_VALUE / 2, 2L * need + found.refused);
    }
  }

  /** The rows that reach {@code threshold} and that {@code keep} accepts, and how many it refused. */
  private record Collected(int[] rows, int refused) {}

  private static Collected collect(float[] scores, int count, int from, IntPredicate keep, float threshold) {
    int[] rows = new int[64];
    int size = 0;
    int refused = 0;
    for (int i = 0; i < count; i++) {
      if (scores[i] >= threshold) {
        if (!keep.test(from + i)) {
          refused++;
        } else {
          if (size == rows.length) {
            rows = Arrays.copyOf(rows, rows.length * 2);
          }
          rows[size++] = from + i;
        }
      }
    }
    return new Collected(Arrays.copyOf(rows, size), refused);
  }
}
