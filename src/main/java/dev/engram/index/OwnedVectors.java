package dev.engram.index;

import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.UUID;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/**
 * The walk over the live documents of one user's owners that have a vector in a given field, the owner's postings
 * intersected with the user's and the field's: what moving an owner out of memory ({@link FlatPassages}) and
 * scanning large owners ({@link StoredVectorScan}) both read.
 */
final class OwnedVectors {
  /** Told of each document, its vector values positioned on it; false stops the walk. */
  interface Visitor {
    boolean visit(LeafReaderContext leaf, int doc, FloatVectorValues values) throws IOException;
  }

  private OwnedVectors() {}

  /** Visits segment by segment, owner by owner, each owner's documents in order. */
  static void forEach(IndexReader reader, String field, UUID user, Collection<UUID> owners, Visitor visitor)
      throws IOException {
    for (LeafReaderContext leaf : reader.leaves()) {
      if (!forEachIn(leaf, field, user, owners, visitor)) {
        return;
      }
    }
  }

  /** Visits one segment's documents, owner by owner; false if the visitor stopped the walk. */
  static boolean forEachIn(LeafReaderContext leaf, String field, UUID user, Collection<UUID> owners,
      Visitor visitor) throws IOException {
    Term userTerm = new Term(LuceneDocs.USER, user.toString());
    LeafReader r = leaf.reader();
    Bits live = r.getLiveDocs();
    for (UUID owner : new HashSet<>(owners)) {
      FloatVectorValues values = r.getFloatVectorValues(field);
      PostingsEnum owned = r.postings(new Term(LuceneDocs.OWNER, owner.toString()), PostingsEnum.NONE);
      PostingsEnum ofUser = r.postings(userTerm, PostingsEnum.NONE);
      if (values == null || owned == null || ofUser == null) {
        continue;
      }
      for (int doc = owned.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = owned.nextDoc()) {
        if ((live == null || live.get(doc)) && at(ofUser, doc) && at(values, doc)
            && !visitor.visit(leaf, doc, values)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Moves {@code it} to {@code doc} or past it (the documents asked for only increase); whether it holds it. */
  static boolean at(DocIdSetIterator it, int doc) throws IOException {
    if (it.docID() < doc) {
      it.advance(doc);
    }
    return it.docID() == doc;
  }
}
