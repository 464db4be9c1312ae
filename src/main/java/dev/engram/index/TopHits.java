package dev.engram.index;

import dev.engram.index.PassageIndex.ScoredPassage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** The best {@code n} (score, id) pairs offered: a min-heap on the score, its root the weakest kept. */
final class TopHits {
  private final float[] scores;
  private final UUID[] ids;
  private int size;

  TopHits(int n) {
    scores = new float[Math.max(0, n)];
    ids = new UUID[Math.max(0, n)];
  }

  /** A score must beat this to be kept. */
  float floor() {
    return size < scores.length ? Float.NEGATIVE_INFINITY : scores.length == 0 ? Float.POSITIVE_INFINITY
        : scores[0];
  }

  void offer(float score, UUID id) {
    if (size < scores.length) {
      int i = size++;
      while (i > 0 && scores[(i - 1) / 2] > score) {
        int parent = (i - 1) / 2;
        scores[i] = scores[parent];
        ids[i] = ids[parent];
        i = parent;
      }
      scores[i] = score;
      ids[i] = id;
    } else if (score > scores[0]) {
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && scores[child + 1] < scores[child]) {
          child++;
        }
        if (scores[child] >= score) {
          break;
        }
        scores[i] = scores[child];
        ids[i] = ids[child];
        i = child;
      }
      scores[i] = score;
      ids[i] = id;
    }
  }

  List<ScoredPassage> sorted() {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
    List<ScoredPassage> out = new ArrayList<>(size);
    for (int i : order) {
      out.add(new ScoredPassage(ids[i], scores[i]));
    }
    return out;
  }
}
