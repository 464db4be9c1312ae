package dev.engram.index;

import dev.engram.index.PassageIndex.ScoredPassage;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Small deterministic vectors and a blocking wait for the index tests (which run off the event loop). */
final class IndexFixtures {
  static final int DIM = 8;

  private IndexFixtures() {}

  static List<UUID> ids(List<ScoredPassage> hits) {
    return hits.stream().map(ScoredPassage::id).toList();
  }

  static float[] axis(int i) {
    float[] v = new float[DIM];
    v[i] = 1;
    return v;
  }

  static float[] unit(float... v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(n));
    }
    return out;
  }

  /** Waits for a future off the event loop; a failure is rethrown with its cause. */
  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
