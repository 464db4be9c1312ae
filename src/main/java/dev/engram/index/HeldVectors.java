package dev.engram.index;

import dev.engram.kernel.ApiException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One owner's vectors held in memory by {@link ScopeVectors}: row {@code i} is {@code data[i * dim, (i + 1) * dim)},
 * its passage {@code ids[i]}. From {@link #CODED_FROM} rows on, each row also has byte codes, as in {@link
 * QuantizedVectors} (the difference from a centre, the mean of the rows at that point, with a scale per row): a scan
 * then ranks the rows by their codes, a quarter of the memory traffic, and scores the best {@link
 * StoredVectorScan#candidates} again from their floats, so its hits and scores are those of a scan of the floats.
 * Thread-safe: every method holds the object's lock.
 */
final class HeldVectors {
  /**
   * Below this many rows the floats are scanned directly: a few hundred microseconds at most, and no memory for codes.
   */
  static final int CODED_FROM = 4_096;

  final int dim;
  private float[] data;
  private UUID[] ids;
  private final Map<UUID, Integer> rowOf = new HashMap<>();
  /** The centre of the codes; null while the rows are not coded. */
  private float[] centre;
  private byte[] codes;
  private float[] scales;
  /** Read without the lock only to size a scope (a stale value just moves the exact/approximate choice). */
  volatile int size;

  HeldVectors(int dim) {
    this.dim = dim;
    data = new float[16 * dim];
    ids = new UUID[16];
  }

  synchronized boolean has(UUID id) {
    return rowOf.containsKey(id);
  }

  synchronized void put(UUID id, float[] vector) {
    if (vector.length != dim) {
      throw ApiException.badRequest("vector has " + vector.length + " dimensions; this index holds " + dim);
    }
    Integer row = rowOf.get(id);
    int at = row != null ? row : size;
    if (row == null) {
      if (at == ids.length) {
        ids = Arrays.copyOf(ids, at * 2);
        data = Arrays.copyOf(data, at * 2 * dim);
        if (centre != null) {
          codes = Arrays.copyOf(codes, at * 2 * dim);
          scales = Arrays.copyOf(scales, at * 2);
        }
      }
      ids[at] = id;
      rowOf.put(id, at);
      size = at + 1;
    }
    System.arraycopy(vector, 0, data, at * dim, dim);
    if (centre != null) {
      scales[at] = QuantizedVectors.encode(vector, centre, codes, at * dim);
    } else if (size >= CODED_FROM) {
      code();
    }
  }

  /** Codes every row, around the mean of the rows now (any centre is correct; one near the rows is precise). */
  private void code() {
    centre = new float[dim];
    double[] sum = new double[dim];
    for (int i = 0; i < size * dim; i++) {
      sum[i % dim] += data[i];
    }
    for (int d = 0; d < dim; d++) {
      centre[d] = (float) (sum[d] / size);
    }
    codes = new byte[ids.length * dim];
    scales = new float[ids.length];
    float[] row = new float[dim];
    for (int i = 0; i < size; i++) {
      System.arraycopy(data, i * dim, row, 0, dim);
      scales[i] = QuantizedVectors.encode(row, centre, codes, i * dim);
    }
  }

  /** Moves the last row into the removed one's place. */
  synchronized void remove(UUID id) {
    Integer row = rowOf.remove(id);
    if (row == null) {
      return;
    }
    int last = size - 1;
    if (row != last) {
      System.arraycopy(data, last * dim, data, row * dim, dim);
      if (centre != null) {
        System.arraycopy(codes, last * dim, codes, row * dim, dim);
        scales[row] = scales[last];
      }
      ids[row] = ids[last];
      rowOf.put(ids[row], row);
    }
    ids[last] = null;
    size = last;
  }

  synchronized void forEachId(Consumer<UUID> action) {
    for (int i = 0; i < size; i++) {
      action.accept(ids[i]);
    }
  }

  /**
   * Offers each row's dot product with {@code query} to {@code best}. Past {@link SharedScan#CHUNK_ROWS} rows the
   * codes are scanned in chunks shared with {@code helper}'s thread when it is free (null: none); the helper reads the
   * rows while this thread holds the lock, so no write changes them meanwhile.
   */
  synchronized void scan(float[] query, TopHits<UUID> best, DotProduct dot, Executor helper) {
    if (query.length != dim) {
      throw ApiException.badRequest("query vector does not fit the index: it has " + query.length
          + " dimensions, the index " + dim);
    }
    int rows = size;
    int candidates = StoredVectorScan.candidates(best.capacity());
    if (centre == null || candidates > rows / 2) { // a deep ranking would score most rows twice
      for (int i = 0; i < rows; i++) {
        offer(best, dot.dot(query, data, i * dim), i);
      }
      return;
    }
    float withCentre = dot.dot(query, centre, 0);
    int chunks = (rows + SharedScan.CHUNK_ROWS - 1) / SharedScan.CHUNK_ROWS;
    TopHits<Integer> rough = SharedScan.run(chunks, candidates, (chunk, into) -> {
      int from = chunk * SharedScan.CHUNK_ROWS;
      int end = Math.min(rows, from + SharedScan.CHUNK_ROWS);
      float[] scored = SharedScan.scores(end - from);
      dot.scores(query, codes, scales, withCentre, from, end, scored);
      for (int i : ScorePool.best(scored, end - from, candidates, from, row -> true, into.floor())) {
        if (scored[i - from] > into.floor()) {
          into.offer(scored[i - from], i);
        }
      }
    }, helper);
    for (int i : rough.sorted((row, score) -> row)) {
      offer(best, dot.dot(query, data, i * dim), i);
    }
  }

  private void offer(TopHits<UUID> best, float score, int row) {
    if (score > best.floor()) {
      best.offer(score, ids[row]);
    }
  }
}
