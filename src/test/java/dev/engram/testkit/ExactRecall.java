package dev.engram.testkit;

import java.util.Arrays;
import java.util.List;

/**
 * Recall@k of a search against an exact scan: the share of the true top {@code k} (by dot product of unit vectors)
 * that the search returned. A returned hit whose exact score ties the k-th best (within {@link #TIE}) counts as found:
 * which of several equally near vectors an exact scan keeps is arbitrary.
 */
public final class ExactRecall {
  /** Float rounding of the server's copy of a vector (parsed from JSON, normalised again) stays far below this. */
  public static final double TIE = 1e-5;

  private ExactRecall() {}

  public static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  /** The k-th best exact score of {@code corpus} for {@code query} (the lowest when it holds fewer). */
  public static double kthBest(float[] query, List<float[]> corpus, int k) {
    double[] scores = new double[corpus.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = dot(query, corpus.get(i));
    }
    Arrays.sort(scores);
    return scores.length == 0 ? Double.POSITIVE_INFINITY : scores[Math.max(0, scores.length - k)];
  }

  /** How many of the {@code found} vectors are among the true top {@code k}, over {@code min(k, corpus size)}. */
  public static double recall(float[] query, List<float[]> corpus, List<float[]> found, int k) {
    int expected = Math.min(k, corpus.size());
    if (expected == 0) {
      return 1;
    }
    double kth = kthBest(query, corpus, k);
    int hits = 0;
    for (float[] f : found) {
      if (dot(query, f) >= kth - TIE) {
        hits++;
      }
    }
    return Math.min(hits, expected) / (double) expected;
  }
}
