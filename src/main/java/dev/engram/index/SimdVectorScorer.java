package dev.engram.index;

import java.io.IOException;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Lucene's float scorer for DOT_PRODUCT with our {@link DotProduct#FASTEST} inside: the same score,
 * {@code max((1 + dot) / 2, 0)}, as {@code VectorSimilarityFunction.DOT_PRODUCT}. Lucene 9.12 vectorises its own
 * dot product only on Java 20-22; on Java 17 it runs a scalar loop, and the HNSW graph built at every add and at
 * every merge spent most of its time there (JFR of {@code scripts/bench.sh memories}: 60 % of the samples in the
 * graph build, 40 % of those in the dot product). Other similarities and byte vectors go to Lucene's scorer.
 * Same structure as Lucene's {@code DefaultFlatVectorScorer}: two copies of the values, so that the vector of the
 * node being scored never overwrites the reused buffer that holds the query.
 */
final class SimdVectorScorer implements FlatVectorsScorer {
  static final SimdVectorScorer INSTANCE = new SimdVectorScorer(DotProduct.FASTEST);

  private final DotProduct dot;

  SimdVectorScorer(DotProduct dot) {
    this.dot = dot;
  }

  @Override
  public RandomVectorScorerSupplier getRandomVectorScorerSupplier(VectorSimilarityFunction similarity,
      RandomAccessVectorValues values) throws IOException {
    if (similarity == VectorSimilarityFunction.DOT_PRODUCT && values instanceof RandomAccessVectorValues.Floats f) {
      return new Supplier(f, dot);
    }
    return DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(similarity, values);
  }

  @Override
  public RandomVectorScorer getRandomVectorScorer(VectorSimilarityFunction similarity,
      RandomAccessVectorValues values, float[] target) throws IOException {
    if (similarity == VectorSimilarityFunction.DOT_PRODUCT && values instanceof RandomAccessVectorValues.Floats f) {
      return new RandomVectorScorer.AbstractRandomVectorScorer(f) {
        @Override
        public float score(int node) throws IOException {
          return SimdVectorScorer.score(dot, target, f.vectorValue(node));
        }
      };
    }
    return DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(similarity, values, target);
  }

  @Override
  public RandomVectorScorer getRandomVectorScorer(VectorSimilarityFunction similarity,
      RandomAccessVectorValues values, byte[] target) throws IOException {
    return DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(similarity, values, target);
  }

  @Override
  public String toString() {
    return "SimdVectorScorer(" + dot.name() + ")";
  }

  /** {@code VectorSimilarityFunction.DOT_PRODUCT}'s score of two unit vectors. */
  static float score(DotProduct dot, float[] a, float[] b) {
    return Math.max((1 + dot.dot(a, b, 0)) / 2, 0);
  }

  private static final class Supplier implements RandomVectorScorerSupplier {
    private final RandomAccessVectorValues.Floats values;
    private final RandomAccessVectorValues.Floats queries;
    private final RandomAccessVectorValues.Floats nodes;
    private final DotProduct dot;

    Supplier(RandomAccessVectorValues.Floats values, DotProduct dot) throws IOException {
      this.values = values;
      this.queries = values.copy();
      this.nodes = values.copy();
      this.dot = dot;
    }

    @Override
    public RandomVectorScorer scorer(int ord) {
      return new RandomVectorScorer.AbstractRandomVectorScorer(values) {
        @Override
        public float score(int node) throws IOException {
          return SimdVectorScorer.score(dot, queries.vectorValue(ord), nodes.vectorValue(node));
        }
      };
    }

    @Override
    public RandomVectorScorerSupplier copy() throws IOException {
      return new Supplier(values, dot);
    }
  }
}
