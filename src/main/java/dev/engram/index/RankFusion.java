package dev.engram.index;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion: each ranking gives an item {@code 1 / (k + rank)} (rank 1 = best), the fused score is the
 * sum. Items missing from a ranking get nothing from it. Ties go to the item with the better single rank, then to
 * the first ranking's order.
 */
public final class RankFusion {
  private RankFusion() {}

  /** One fused result; {@code score} is the RRF sum. */
  public record Fused<T>(T item, double score) {}

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
