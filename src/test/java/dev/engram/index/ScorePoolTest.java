package dev.engram.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
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
  @DisplayName("the pool holds every row of the best that the filter keeps and that reaches the floor, only kept rows"
      + " that reach it, in order, not many more")
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
      float floor = round % 3 == 0 ? Float.NEGATIVE_INFINITY : scores[random.nextInt(count)];
      int[] rows = ScorePool.best(scores, count, pool, from, keep, floor);
      Set<Integer> got = Arrays.stream(rows).boxed().collect(Collectors.toSet());
      int[] sorted = rows.clone();
      Arrays.sort(sorted);
      assertArrayEquals(sorted, rows, "ascending");
      assertEquals(rows.length, got.size(), "no row twice");
      assertTrue(got.stream().allMatch(keep::test), "only kept rows");
      assertTrue(got.stream().allMatch(row -> scores[row - from] >= floor), "only rows that reach the floor");
      int[] best = IntStream.range(0, count).map(i -> from + i).filter(keep).boxed()
          .sorted(Comparator.comparing((Integer row) -> -scores[row - from])).limit(pool)
          .mapToInt(Integer::intValue).toArray();
      float worst = best.length == 0 ? Float.NaN : scores[best[best.length - 1] - from];
      for (int row : best) {
        assertTrue(got.contains(row) || scores[row - from] < floor, "row " + row + " of the best " + pool
            + " is in the pool, or below the floor");
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
    assertEquals(50, ScorePool.best(same, 100, 10, 0, row -> row % 2 == 0, Float.NEGATIVE_INFINITY).length);
    float[] few = {3, 1, 2};
    assertArrayEquals(new int[] {7, 9}, ScorePool.best(few, 3, 10, 7, row -> row != 8, Float.NEGATIVE_INFINITY));
    assertArrayEquals(new int[] {7}, ScorePool.best(few, 3, 10, 7, row -> true, 2.5f));
  }

  @Test
  @DisplayName("a scan's floor is the weakest of the best pool of the scores its chunks offered, shared by threads")
  void floorIsThePoolsWeakest() throws InterruptedException {
    var floor = new PoolFloor(100);
    float[] scores = new float[1_000];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = i;
    }
    int[] first = IntStream.range(0, 50).toArray();
    floor.offer(scores, first, first.length, 0);
    assertEquals(Float.NEGATIVE_INFINITY, floor.value(), "fewer than the pool: no floor yet");
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      int part = t;
      threads[t] = new Thread(() -> {
        int[] rows = IntStream.range(0, 1_000).filter(i -> i % 4 == part).toArray();
        floor.offer(scores, rows, rows.length, 0);
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(900f, floor.value(), "the 100th best of all offered");
  }

  @Test
  @DisplayName("the floor matches a sort of everything offered, chunk after chunk, ties and repeats included")
  void floorMatchesASort() {
    var random = new Random(11);
    for (int round = 0; round < 200; round++) {
      int pool = 1 + random.nextInt(300);
      var floor = new PoolFloor(pool);
      List<Float> offered = new ArrayList<>();
      for (int chunk = 0; chunk < 1 + random.nextInt(8); chunk++) {
        float[] scores = new float[1 + random.nextInt(600)];
        for (int i = 0; i < scores.length; i++) {
          scores[i] = round % 2 == 0 ? random.nextInt(20) : (float) random.nextGaussian(); // many ties, or none
        }
        int from = random.nextInt(1_000);
        int[] rows = IntStream.range(from, from + scores.length).filter(i -> random.nextInt(3) > 0).toArray();
        floor.offer(scores, rows, rows.length, from);
        for (int row : rows) {
          offered.add(scores[row - from]);
        }
        offered.sort(Comparator.reverseOrder());
        float expected = offered.size() < pool ? Float.NEGATIVE_INFINITY : offered.get(pool - 1);
        assertEquals(expected, floor.value(), "round " + round + ", chunk " + chunk);
      }
    }
  }

  @Test
  @DisplayName("a selection puts the k-th smallest at k, none greater before it and none smaller after it")
  void selectionPlacesTheKth() {
    var random = new Random(5);
    for (int round = 0; round < 500; round++) {
      float[] a = new float[1 + random.nextInt(200)];
      for (int i = 0; i < a.length; i++) {
        a[i] = random.nextInt(round % 3 == 0 ? 3 : 1_000);
      }
      int k = random.nextInt(a.length);
      float[] sorted = a.clone();
      Arrays.sort(sorted);
      PoolFloor.select(a, a.length, k);
      assertEquals(sorted[k], a[k]);
      for (int i = 0; i < a.length; i++) {
        assertTrue(i < k ? a[i] <= a[k] : a[i] >= a[k], "round " + round + " at " + i);
      }
      Arrays.sort(a);
      assertArrayEquals(sorted, a, "the same values, reordered");
    }
  }
}
