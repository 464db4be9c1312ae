package dev.engram.index;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.index.RankFusion.Fused;
import dev.engram.index.RankFusion.Scored;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RankFusionTest {

  @Test
  @DisplayName("items found by both rankings beat items ranked first by only one; scores are sums of 1/(k+rank)")
  void agreementWins() {
    var fused = RankFusion.fuse(60, 10, List.of("a", "b", "c"), List.of("d", "b", "a"));
    assertEquals(List.of("a", "b", "d", "c"), fused.stream().map(RankFusion.Fused::item).toList());
    assertEquals(1.0 / 61 + 1.0 / 63, fused.get(0).score(), 1e-12);
    assertEquals(2.0 / 62, fused.get(1).score(), 1e-12);
    assertEquals(1.0 / 61, fused.get(2).score(), 1e-12);
  }

  @Test
  @DisplayName("ties go to the better single rank, then to the first list; the limit cuts the tail")
  void tiesAndLimit() {
    var fused = RankFusion.fuse(60, 2, List.of("x", "y"), List.of("z"));
    // x and z both score 1/61; x comes from the first list
    assertEquals(List.of("x", "z"), fused.stream().map(RankFusion.Fused::item).toList());
    assertEquals(List.of(), RankFusion.fuse(60, 5, List.of(), List.of()));
  }

  private static List<Scored<String>> ranking(Object... itemScore) {
    var out = new java.util.ArrayList<Scored<String>>();
    for (int i = 0; i < itemScore.length; i += 2) {
      out.add(new Scored<>((String) itemScore[i], ((Number) itemScore[i + 1]).doubleValue()));
    }
    return out;
  }

  @Test
  @DisplayName("relative fusion rescales each ranking to 0..1 by min-max and adds the weighted scores")
  void relativeRescalesAndWeighs() {
    // text: a 10 -> 1, b 6 -> 0.5, c 2 -> 0; vector: b 0.9 -> 1, d 0.5 -> 0
    var fused = RankFusion.relative(10, new double[] {0.7, 0.3},
        List.of(ranking("a", 10, "b", 6, "c", 2), ranking("b", 0.9, "d", 0.5)));
    assertEquals(List.of("a", "b", "c", "d"), fused.stream().map(Fused::item).toList());
    assertEquals(0.7, fused.get(0).score(), 1e-12);
    assertEquals(0.7 * 0.5 + 0.3, fused.get(1).score(), 1e-12);
    assertEquals(0.0, fused.get(2).score(), 1e-12);
    assertEquals(0.0, fused.get(3).score(), 1e-12);
  }

  @Test
  @DisplayName("relative fusion: the weight decides between two rankings that disagree; the raw scale does not")
  void relativeWeightDecides() {
    // BM25 scores are large, cosines small: only the weights matter after rescaling
    var text = ranking("t", 42.0, "v", 40.0, "x", 1.0);
    var vector = ranking("v", 0.31, "t", 0.30, "y", 0.10);
    var textFirst = RankFusion.relative(2, new double[] {0.7, 0.3}, List.of(text, vector));
    assertEquals(List.of("t", "v"), textFirst.stream().map(Fused::item).toList());
    var vectorFirst = RankFusion.relative(2, new double[] {0.1, 0.9}, List.of(text, vector));
    assertEquals(List.of("v", "t"), vectorFirst.stream().map(Fused::item).toList());
  }

  @Test
  @DisplayName("relative fusion: a ranking of equal scores counts fully; empty rankings, limit and ties")
  void relativeEdges() {
    var fused = RankFusion.relative(5, new double[] {0.5, 0.5}, List.of(ranking("a", 3, "b", 3), ranking()));
    assertEquals(List.of("a", "b"), fused.stream().map(Fused::item).toList());
    assertEquals(0.5, fused.get(1).score(), 1e-12);
    assertEquals(List.of(), RankFusion.relative(5, new double[] {0.5, 0.5}, List.of(ranking(), ranking())));
    var cut = RankFusion.relative(1, new double[] {1}, List.of(ranking("a", 2, "b", 1)));
    assertEquals(List.of("a"), cut.stream().map(Fused::item).toList());
    assertThrows(IllegalArgumentException.class,
        () -> RankFusion.relative(5, new double[] {1}, List.of(ranking(), ranking())));
  }
}
