package dev.engram.embed;

/** Small vector arithmetic shared by the embedders. */
public final class VectorMath {
  private VectorMath() {}

  /** Scales {@code v} to unit length in place; a zero vector stays zero. Returns {@code v}. */
  public static float[] normalize(float[] v) {
    double squares = 0;
    for (float x : v) {
      squares += (double) x * x;
    }
    if (squares > 0) {
      float scale = (float) (1.0 / Math.sqrt(squares));
      for (int i = 0; i < v.length; i++) {
        v[i] *= scale;
      }
    }
    return v;
  }

  public static double dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " floats");
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  public static double norm(float[] v) {
    return Math.sqrt(dot(v, v));
  }
}
