package dev.engram.index;

import dev.engram.index.PassageIndex.IndexedPassage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.StoredFields;

/**
 * Reads back, from the index alone, the passages of one owner whose vectors are in the flat field of small owners:
 * what {@link OwnerMoves#move} needs to rebuild their documents with the vector in a large owner's field.
 */
final class FlatPassages {
  private static final Set<String> STORED = Set.of(LuceneDocs.ID, LuceneDocs.SEQ, LuceneDocs.KEPT_TEXT);

  /** Takes one batch of passages. */
  interface Batch {
    void accept(List<IndexedPassage> passages) throws IOException;
  }

  private FlatPassages() {}

  /**
   * Every live passage of {@code owner} with a flat vector in {@code reader}, in index order, in batches of up to
   * {@code size}; how many there were.
   */
  static int forEachBatch(IndexReader reader, ScopeVectors.Key owner, int size, Batch batch) throws IOException {
    var out = new ArrayList<IndexedPassage>(size);
    int[] count = {0};
    StoredFields fields = reader.storedFields();
    OwnedVectors.forEach(reader, LuceneDocs.EXACT_VECTOR, owner.user(), List.of(owner.owner()),
        (leaf, doc, values) -> {
          Document stored = fields.document(leaf.docBase + doc, STORED);
          out.add(new IndexedPassage(UUID.fromString(stored.get(LuceneDocs.ID)),
              stored.getField(LuceneDocs.SEQ).numericValue().longValue(), owner.user(), owner.owner(),
              stored.get(LuceneDocs.KEPT_TEXT), values.vectorValue().clone()));
          count[0]++;
          if (out.size() == size) {
            batch.accept(List.copyOf(out));
            out.clear();
          }
          return true;
        });
    if (!out.isEmpty()) {
      batch.accept(List.copyOf(out));
    }
    return count[0];
  }
}
