package dev.engram.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The best {@code n} (score, item) pairs offered: a min-heap on the score, its root the weakest kept. The items are
 * passage ids (a scan of the vectors held in memory) or Lucene doc ids (a scan of the stored ones).
 */
final class TopHits<T> {
  /** What {@link #sorted} makes of each pair. */
  interface Hit<T, R> {
    R of(T item, float score);
  }

  private final float[] scores;
  private final Object[] ids;
  private int size;

  TopHits(int n) {
    scores = new float[Math.max(0, n)];
    ids = new Object[Math.max(0, n)];
  }

  /** How many pairs are kept. */
  int capacity() {
    return scores.length;
  }

  /** A score must beat this to be kept. */
  float floor() {
    return size < scores.length ? Float.NEGATIVE_INFINITY : scores.length == 0 ? Float.POSITIVE_INFINITY
        : scores[0];
  }

  void offer(float score, T id) {
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

  /** Offers each pair {@code other} kept. */
  @SuppressWarnings("unchecked")
  void offerAll(TopHits<T> other) {
    for (int i = 0; i < other.size; i++) {
      offer(other.scores[i], (T) other.ids[i]);
    }
  }

  /** The pairs kept, best first. */
  @SuppressWarnings("unchecked")
  <R> List<R> sorted(Hit<T, R> hit) {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
    List<R> out = new ArrayList<>(size);
    for (int i : order) {
      out.add(hit.of((T) ids[i], scores[i]));
    }
    return out;
  }
}
