package dev.engram.index;

import static org.junit.jupiter.api.Assertions.*;

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
}
