package dev.engram.index;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;

/**
 * The cosine similarity of hits to the query vector, read from the vectors the index stores with them (in whichever
 * of {@link LuceneDocs#VECTOR_FIELDS} holds each): what a hybrid hit carries beside its fused score, so that a caller that reports cosines
 * (Mem0's search) need not read the stored embeddings back from the database.
 */
final class StoredSimilarity {
  private StoredSimilarity() {}

  /**
   * For each document, the dot product of its vector with {@code query} (the cosine, for the unit vectors the index
   * holds); 0 for a document without a vector. Reads each segment's vectors once, in document order.
   */
  static double[] of(IndexReader reader, int[] docs, float[] query) throws IOException {
    double[] out = new double[docs.length];
    Integer[] order = IntStream.range(0, docs.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt(i -> docs[i]));
    List<LeafReaderContext> leaves = reader.leaves();
    LeafReaderContext leaf = null;
    FloatVectorValues[] values = new FloatVectorValues[LuceneDocs.VECTOR_FIELDS.size()];
    for (int i : order) {
      LeafReaderContext at = leaves.get(ReaderUtil.subIndex(docs[i], leaves));
      if (at != leaf) {
        leaf = at;
        for (int f = 0; f < values.length; f++) {
          values[f] = leaf.reader().getFloatVectorValues(LuceneDocs.VECTOR_FIELDS.get(f));
        }
      }
      out[i] = dot(values, docs[i] - leaf.docBase, query);
    }
    return out;
  }

  private static double dot(FloatVectorValues[] fields, int doc, float[] query) throws IOException {
    for (FloatVectorValues values : fields) {
      if (values != null && OwnedVectors.at(values, doc)) { // docs come in increasing order
        return values.dimension() == query.length ? DotProduct.FASTEST.dot(query, values.vectorValue(), 0) : 0;
      }
    }
    return 0;
  }
}
