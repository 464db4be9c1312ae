package dev.engram.bench;

import java.util.SplittableRandom;

/**
 * Deterministic synthetic "embeddings" with the neighbourhood structure of real ones: {@code topics} random
 * directions, each with {@code subtopics} random offsets, and a point is {@code topic + spread * subtopic + noise *
 * gaussian}, normalised. With spread 0.7 and noise 0.5 two points of one subtopic have cosine about 0.86, of one
 * topic about 0.57, of different topics about 0. Vector {@code i} is the same on every call (it is generated from
 * its index), so the data never has to be held in memory; queries use a disjoint seed.
 */
final class ClusteredVectors {
  private final int dim;
  private final int topics;
  private final int subtopics;
  private final float spread;
  private final float noise;
  private final float[][] topicCentres;
  private final float[][] subCentres;

  ClusteredVectors(int dim, int topics, int subtopics, float spread, float noise) {
    this.dim = dim;
    this.topics = topics;
    this.subtopics = subtopics;
    this.spread = spread;
    this.noise = noise;
    topicCentres = new float[topics][];
    subCentres = new float[topics * subtopics][];
    var rnd = new SplittableRandom(42);
    for (int t = 0; t < topics; t++) {
      topicCentres[t] = gaussianUnit(rnd);
    }
    for (int s = 0; s < subCentres.length; s++) {
      subCentres[s] = gaussianUnit(rnd);
    }
  }

  /** Stored vector {@code i}. */
  float[] vector(long i) {
    return point(new SplittableRandom(0x9E3779B97F4A7C15L * (i + 1)));
  }

  /** Query vector {@code i} (never equal to a stored one). */
  float[] query(long i) {
    return point(new SplittableRandom(0xC2B2AE3D27D4EB4FL * (i + 1) + 7));
  }

  private float[] point(SplittableRandom rnd) {
    int t = rnd.nextInt(topics);
    int s = t * subtopics + rnd.nextInt(subtopics);
    float[] c = topicCentres[t];
    float[] sc = subCentres[s];
    float[] v = new float[dim];
    float scale = (float) (noise / Math.sqrt(dim));
    double norm = 0;
    for (int d = 0; d < dim; d++) {
      v[d] = c[d] + spread * sc[d] + scale * (float) gaussian(rnd);
      norm += v[d] * v[d];
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int d = 0; d < dim; d++) {
      v[d] *= inv;
    }
    return v;
  }

  private float[] gaussianUnit(SplittableRandom rnd) {
    float[] v = new float[dim];
    double norm = 0;
    for (int d = 0; d < dim; d++) {
      v[d] = (float) gaussian(rnd);
      norm += v[d] * v[d];
    }
    for (int d = 0; d < dim; d++) {
      v[d] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  /** Box-Muller, one value per call (simple and deterministic). */
  private static double gaussian(SplittableRandom rnd) {
    double u = 1.0 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  static float dot(float[] a, float[] b) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < a.length; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < a.length; i++) {
      s0 += a[i] * b[i];
    }
    return s0 + s1 + s2 + s3;
  }
}
