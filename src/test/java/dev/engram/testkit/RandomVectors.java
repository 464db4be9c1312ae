package dev.engram.testkit;

import dev.engram.embed.VectorMath;
import java.util.Random;

/** Random vectors for tests and benchmarks of vector search: each component Gaussian, then scaled to unit length. */
public final class RandomVectors {
  private RandomVectors() {}

  /** A unit vector of {@code dim} Gaussian components drawn from {@code random}. */
  public static float[] unit(Random random, int dim) {
    float[] v = new float[dim];
    for (int d = 0; d < dim; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return VectorMath.normalize(v);
  }
}
