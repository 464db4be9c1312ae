package dev.engram.index;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.RandomVectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The HNSW graph is built with our dot product: it must score as Lucene's DOT_PRODUCT does. */
class SimdVectorScorerTest {
  private static final VectorSimilarityFunction DOT = VectorSimilarityFunction.DOT_PRODUCT;

  @Test
  @DisplayName("node-to-node and query-to-node scores equal Lucene's own, for the graph build and for searches")
  void scoresAsLucene() throws Exception {
    List<float[]> vectors = unitVectors(50, 384, 7);
    var values = RandomAccessVectorValues.fromFloats(vectors, 384);
    RandomVectorScorerSupplier ours = SimdVectorScorer.INSTANCE.getRandomVectorScorerSupplier(DOT, values);
    RandomVectorScorerSupplier lucene = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(DOT, values);
    float[] query = unitVectors(1, 384, 8).get(0);
    RandomVectorScorer ourSearch = SimdVectorScorer.INSTANCE.getRandomVectorScorer(DOT, values, query);
    RandomVectorScorer luceneSearch = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(DOT, values, query);
    for (int a = 0; a < vectors.size(); a += 7) {
      RandomVectorScorer mine = ours.copy().scorer(a);
      RandomVectorScorer theirs = lucene.scorer(a);
      for (int b = 0; b < vectors.size(); b++) {
        assertEquals(theirs.score(b), mine.score(b), 1e-5f, "score of " + a + " and " + b);
        assertEquals(luceneSearch.score(b), ourSearch.score(b), 1e-5f, "score of the query and " + b);
      }
    }
    assertEquals(1f, ours.scorer(3).score(3), 1e-5f);
  }

  @Test
  @DisplayName("other similarities are left to Lucene's scorer")
  void othersDelegate() throws Exception {
    var values = RandomAccessVectorValues.fromFloats(unitVectors(5, 8, 9), 8);
    var euclidean = VectorSimilarityFunction.EUCLIDEAN;
    assertEquals(DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(euclidean, values).scorer(1).score(2),
        SimdVectorScorer.INSTANCE.getRandomVectorScorerSupplier(euclidean, values).scorer(1).score(2));
  }

  private static List<float[]> unitVectors(int count, int dim, long seed) {
    Random random = new Random(seed);
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(RandomVectors.unit(random, dim));
    }
    return out;
  }
}
