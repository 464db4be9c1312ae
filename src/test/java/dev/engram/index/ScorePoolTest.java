package dev.engram.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ScorePoolTest {
  private final Random random = new Random(9);

  @Test
  @DisplayName("the pool holds every row of the best that the filter keeps, only kept rows, in order, not many more")
  void holdsTheBestKeptRows() {
    for (int round = 0; round < 50; round++) {
      int count = 1 + random.nextInt(20_000);
      int pool = 1 + random.nextInt(400);
      int from = random.nextInt(1_000);
      float[] scores = new float[count];
      for (int i = 0; i < count; i++) {
        scores[i] = round % 2 == 0 ? (float) random.nextGaussian() : random.nextInt(50); // ties too
      }
      int every = 2 + random.nextInt(4);
      IntPredicate keep = row -> row % every != 0;
      int[] rows = ScorePool.best(scores, count, pool, from, keep);
      Set<Integer> got = Arrays.stream(rows).boxed().collect(Collectors.toSet());
      int[] sorted = rows.clone();
      Arrays.sort(sorted);
      assertArrayEquals(sorted, rows, "ascending");
      assertEquals(rows.length, got.size(), "no row twice");
      assertTrue(got.stream().allMatch(keep::test), "only kept rows");
      int[] best = IntStream.range(0, count).map(i -> from + i).filter(keep).boxed()
          .sorted(Comparator.comparing((Integer row) -> -scores[row - from])).limit(pool)
          .mapToInt(Integer::intValue).toArray();
      float worst = best.length == 0 ? Float.NaN : scores[best[best.length - 1] - from];
      for (int row : best) {
        assertTrue(got.contains(row), "row " + row + " of the best " + pool + " is in the pool");
      }
      long tied = IntStream.range(0, count).filter(i -> keep.test(from + i) && scores[i] >= worst).count();
      if (round % 2 == 0) { // distinct scores: about half the pool more, and a bucket's worth
        assertTrue(rows.length <= 2 * Math.max(pool, tied) + count / 64 + 64, rows.length + " rows for " + pool);
      }
    }
  }

  @Test
  @DisplayName("one score for every row, or fewer rows than the pool: every kept row")
  void everyKeptRowWhenNothingRanks() {
    float[] same = new float[100];
    Arrays.fill(same, 0.5f);
    assertEquals(50, ScorePool.best(same, 100, 10, 0, row -> row % 2 == 0).length);
    float[] few = {3, 1, 2};
    assertArrayEquals(new int[] {7, 9}, ScorePool.best(few, 3, 10, 7, row -> row != 8));
  }
}
