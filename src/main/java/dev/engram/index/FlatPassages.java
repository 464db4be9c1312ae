package dev.engram.index;

import dev.engram.index.PassageIndex.IndexedPassage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/**
 * Reads back, from the index alone, the passages of one owner whose vectors are in the flat field: what {@link
 * LuceneStore#graph} needs to rebuild their documents with the vector in the HNSW field.
 */
final class FlatPassages {
  private static final Set<String> STORED = Set.of(LuceneDocs.ID, LuceneDocs.SEQ, LuceneDocs.KEPT_TEXT);

  private FlatPassages() {}

  /** Up to {@code max} live passages of {@code owner} with a flat vector, in index order. */
  static List<IndexedPassage> of(IndexReader reader, ScopeVectors.Key owner, int max) throws IOException {
    var out = new ArrayList<IndexedPassage>();
    Term ownerTerm = new Term(LuceneDocs.OWNER, owner.owner().toString());
    Term userTerm = new Term(LuceneDocs.USER, owner.user().toString());
    for (LeafReaderContext leaf : reader.leaves()) {
      LeafReader r = leaf.reader();
      FloatVectorValues flat = r.getFloatVectorValues(LuceneDocs.EXACT_VECTOR);
      PostingsEnum owned = r.postings(ownerTerm, PostingsEnum.NONE);
      PostingsEnum ofUser = r.postings(userTerm, PostingsEnum.NONE);
      if (flat == null || owned == null || ofUser == null) {
        continue;
      }
      Bits live = r.getLiveDocs();
      StoredFields fields = r.storedFields();
      for (int doc = owned.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = owned.nextDoc()) {
        if (live != null && !live.get(doc) || !StoredVectorScan.at(ofUser, doc) || !StoredVectorScan.at(flat, doc)) {
          continue;
        }
        Document stored = fields.document(doc, STORED);
        out.add(new IndexedPassage(UUID.fromString(stored.get(LuceneDocs.ID)),
            stored.getField(LuceneDocs.SEQ).numericValue().longValue(), owner.user(), owner.owner(),
            stored.get(LuceneDocs.KEPT_TEXT), flat.vectorValue().clone()));
        if (out.size() == max) {
          return out;
        }
      }
    }
    return out;
  }
}
