package dev.engram.bench;

/** Exact top-10 by dot product, in one pass over the (regenerated) data for all sample queries at once. */
final class BruteForce {
  private BruteForce() {}

  /** For each of the first {@code sample} queries, the indexes of its 10 nearest stored vectors. */
  static long[][] top10(ClusteredVectors data, int n, int sample) throws InterruptedException {
    float[][] queries = new float[sample][];
    for (int q = 0; q < sample; q++) {
      queries[q] = data.query(q);
    }
    float[][] bestScore = new float[sample][10];
    long[][] bestId = new long[sample][10];
    for (float[] row : bestScore) {
      java.util.Arrays.fill(row, Float.NEGATIVE_INFINITY);
    }
    // two threads, each owning half of the queries, both regenerating the data
    Thread[] threads = new Thread[2];
    for (int t = 0; t < threads.length; t++) {
      int lo = t * sample / threads.length;
      int hi = (t + 1) * sample / threads.length;
      threads[t] = new Thread(() -> {
        for (long i = 0; i < n; i++) {
          float[] v = data.vector(i);
          for (int q = lo; q < hi; q++) {
            float s = ClusteredVectors.dot(queries[q], v);
            float[] bs = bestScore[q];
            if (s > bs[9]) {
              int j = 9;
              while (j > 0 && bs[j - 1] < s) {
                bs[j] = bs[j - 1];
                bestId[q][j] = bestId[q][j - 1];
                j--;
              }
              bs[j] = s;
              bestId[q][j] = i;
            }
          }
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return bestId;
  }
}
