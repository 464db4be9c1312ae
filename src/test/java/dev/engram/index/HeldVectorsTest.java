package dev.engram.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.engram.embed.VectorMath;
import dev.engram.testkit.RandomVectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An owner held in memory past {@link HeldVectors#CODED_FROM} rows is scanned by its byte codes, then its candidates
 * by their floats: on near-duplicates of 384 dimensions, through rewrites and deletes, its hits and scores are those
 * of scoring every float.
 */
class HeldVectorsTest {
  private static final int DIM = 384;
  private final Random random = new Random(17);
  private final float[] base = RandomVectors.unit(random, DIM);

  @Test
  @DisplayName("a coded owner's top 10 equals the float scan's, before and after rewrites and deletes")
  void codedScanEqualsTheFloatScan() {
    var held = new HeldVectors(DIM);
    Map<UUID, float[]> vectors = new LinkedHashMap<>();
    for (int i = 0; i < HeldVectors.CODED_FROM + 2_000; i++) {
      UUID id = new UUID(7, i);
      vectors.put(id, nearby());
      held.put(id, vectors.get(id));
    }
    checkAgainstFloats(held, vectors);
    List<UUID> ids = new ArrayList<>(vectors.keySet());
    for (int i = 0; i < 1_000; i++) { // deletes (the last row moves into the gap) and rewrites
      UUID id = ids.get(random.nextInt(ids.size()));
      if (i % 2 == 0 && vectors.remove(id) != null) {
        held.remove(id);
      } else if (vectors.containsKey(id)) {
        vectors.put(id, nearby());
        held.put(id, vectors.get(id));
      }
    }
    checkAgainstFloats(held, vectors);
  }

  @Test
  @DisplayName("an owner of several chunks scanned with a helper thread: the same answer")
  void sharedScanEqualsTheFloatScan() {
    var held = new HeldVectors(DIM);
    Map<UUID, float[]> vectors = new LinkedHashMap<>();
    for (int i = 0; i < 2 * SharedScan.CHUNK_ROWS + 1_000; i++) {
      UUID id = new UUID(9, i);
      vectors.put(id, nearby());
      held.put(id, vectors.get(id));
    }
    ExecutorService helper = Executors.newSingleThreadExecutor();
    try {
      checkAgainstFloats(held, vectors, helper);
    } finally {
      helper.shutdownNow();
    }
  }

  @Test
  @DisplayName("below the coded size the floats are scanned: the same answer")
  void smallOwnersScanFloats() {
    var held = new HeldVectors(DIM);
    Map<UUID, float[]> vectors = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) {
      UUID id = new UUID(8, i);
      vectors.put(id, nearby());
      held.put(id, vectors.get(id));
    }
    checkAgainstFloats(held, vectors);
  }

  private void checkAgainstFloats(HeldVectors held, Map<UUID, float[]> vectors) {
    checkAgainstFloats(held, vectors, null);
  }

  private void checkAgainstFloats(HeldVectors held, Map<UUID, float[]> vectors, Executor helper) {
    for (int q = 0; q < 20; q++) {
      float[] query = nearby();
      var best = new TopHits<UUID>(10);
      held.scan(query, best, DotProduct.FASTEST, helper);
      List<Map.Entry<UUID, Float>> found = best.sorted(Map::entry);
      List<Map.Entry<UUID, Float>> truth = vectors.entrySet().stream()
          .map(e -> Map.entry(e.getKey(), DotProduct.FASTEST.dot(query, e.getValue(), 0)))
          .sorted(Comparator.comparing((Map.Entry<UUID, Float> e) -> -e.getValue())).limit(10).toList();
      assertEquals(truth.stream().map(Map.Entry::getValue).toList(),
          found.stream().map(Map.Entry::getValue).toList(), "the scores of the top 10, query " + q);
      for (var hit : found) { // with the scores above, the top 10 up to exact ties (common at float precision)
        assertEquals(DotProduct.FASTEST.dot(query, vectors.get(hit.getKey()), 0), hit.getValue(),
            "the score of " + hit.getKey() + ", query " + q);
      }
    }
  }

  /** The base vector plus noise of a twentieth of its length, made unit: a near-duplicate. */
  private float[] nearby() {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) (base[i] + 0.05 / Math.sqrt(DIM) * random.nextGaussian());
    }
    return VectorMath.normalize(v);
  }
}
