package dev.engram.index;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fusion of several rankings of the same items into one. {@link #relative} (what hybrid search uses) combines the
 * rankings' scores once each is rescaled to 0..1; {@link #fuse} (reciprocal rank fusion) uses only the ranks.
 */
public final class RankFusion {
  private RankFusion() {}

  /** One fused result; {@code score} is the fused score. */
  public record Fused<T>(T item, double score) {}

  /** An item of one ranking with the score that ranking gave it (higher is better). */
  public record Scored<T>(T item, double score) {}

  /**
   * Relative score fusion: each ranking's scores are rescaled by min-max over that ranking ({@code (s - min) / (max
   * - min)}, its best item 1 and its worst 0; all 1 when its scores are equal), and an item's fused score is the sum
   * of {@code weight * rescaled score} over the rankings, an item missing from a ranking getting 0 from it. With
   * weights that add up to 1 the fused score lies in 0..1. Ties go to the item first met, taking the rankings in
   * order.
   */
  public static <T> List<Fused<T>> relative(int limit, double[] weights, List<List<Scored<T>>> rankings) {
    if (weights.length != rankings.size()) {
      throw new IllegalArgumentException(weights.length + " weights for " + rankings.size() + " rankings");
    }
    record Acc(double score, int order) {}
    Map<T, Acc> acc = new HashMap<>();
    int order = 0;
    for (int r = 0; r < rankings.size(); r++) {
      List<Scored<T>> ranking = rankings.get(r);
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (Scored<T> s : ranking) {
        min = Math.min(min, s.score());
        max = Math.max(max, s.score());
      }
      for (Scored<T> s : ranking) {
        double rescaled = max > min ? (s.score() - min) / (max - min) : 1.0;
        int o = order++;
        acc.merge(s.item(), new Acc(weights[r] * rescaled, o),
            (a, b) -> new Acc(a.score + b.score, Math.min(a.order, b.order)));
      }
    }
    var entries = new ArrayList<>(acc.entrySet());
    entries.sort(Comparator.<Map.Entry<T, Acc>>comparingDouble(e -> -e.getValue().score)
        .thenComparingInt(e -> e.getValue().order));
    var out = new ArrayList<Fused<T>>(Math.min(limit, entries.size()));
    for (int i = 0; i < entries.size() && i < limit; i++) {
      out.add(new Fused<>(entries.get(i).getKey(), entries.get(i).getValue().score));
    }
    return out;
  }

  /**
   * Reciprocal rank fusion: each ranking gives an item {@code 1 / (k + rank)} (rank 1 = best), the fused score is the
   * sum. Items missing from a ranking get nothing from it. Ties go to the item with the better single rank, then to
   * the first ranking's order.
   */
  @SafeVarargs
  public static <T> List<Fused<T>> fuse(int k, int limit, List<T>... rankings) {
    record Acc(double score, int bestRank, int order) {}
    Map<T, Acc> acc = new HashMap<>();
    int order = 0;
    for (List<T> ranking : rankings) {
      for (int i = 0; i < ranking.size(); i++) {
        T item = ranking.get(i);
        int rank = i + 1;
        double add = 1.0 / (k + rank);
        int o = order++;
        acc.merge(item, new Acc(add, rank, o),
            (a, b) -> new Acc(a.score + b.score, Math.min(a.bestRank, b.bestRank), Math.min(a.order, b.order)));
      }
    }
    var entries = new ArrayList<>(acc.entrySet());
    entries.sort(Comparator.<Map.Entry<T, Acc>>comparingDouble(e -> -e.getValue().score)
        .thenComparingInt(e -> e.getValue().bestRank)
        .thenComparingInt(e -> e.getValue().order));
    var out = new ArrayList<Fused<T>>(Math.min(limit, entries.size()));
    for (int i = 0; i < entries.size() && i < limit; i++) {
      out.add(new Fused<>(entries.get(i).getKey(), entries.get(i).getValue().score));
    }
    return out;
  }
}
