package dev.engram.index;

import dev.engram.index.PassageIndex.IndexedPassage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.UUID;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/** The Lucene document layout of a passage and the queries over it (user/owner filter, BM25 text query). */
final class LuceneDocs {
  static final String ID = "id";
  static final String SEQ = "seq";
  static final String USER = "user";
  static final String OWNER = "owner";
  static final String TEXT = "text";
  static final String VECTOR = "vector";
  /** A text query keeps at most this many terms (Lucene refuses more than 1024 clauses). */
  static final int MAX_QUERY_TERMS = 512;

  private LuceneDocs() {}

  static Term idTerm(UUID id) {
    return new Term(ID, id.toString());
  }

  static Document document(IndexedPassage p) {
    var doc = new Document();
    doc.add(new StringField(ID, p.id().toString(), Field.Store.YES));
    doc.add(new NumericDocValuesField(SEQ, p.seq()));
    doc.add(new StoredField(SEQ, p.seq()));
    doc.add(new StringField(USER, p.userId().toString(), Field.Store.NO));
    doc.add(new StringField(OWNER, p.ownerId().toString(), Field.Store.NO));
    doc.add(new TextField(TEXT, p.text() == null ? "" : p.text(), Field.Store.NO));
    if (p.vector() != null) {
      doc.add(new KnnFloatVectorField(VECTOR, p.vector(), VectorSimilarityFunction.DOT_PRODUCT));
    }
    return doc;
  }

  /** Passages of {@code user} whose owner is one of {@code owners}. */
  static Query filter(UUID user, Collection<UUID> owners) {
    var ownerTerms = owners.stream().map(o -> new BytesRef(o.toString())).toList();
    return new BooleanQuery.Builder()
        .add(new TermQuery(new Term(USER, user.toString())), Occur.FILTER)
        .add(new TermInSetQuery(OWNER, ownerTerms), Occur.FILTER)
        .build();
  }

  /**
   * Whether {@code filter(user, owners)} admits every document of the reader. Each document has exactly one user and
   * one owner term, and document frequencies count every document (deleted ones too) up to {@code maxDoc}, so the
   * test is exact: all documents carry the user, and the owners' frequencies add up to all documents.
   */
  static boolean matchesAll(IndexReader reader, UUID user, Collection<UUID> owners) throws IOException {
    int maxDoc = reader.maxDoc();
    if (maxDoc == 0 || reader.docFreq(new Term(USER, user.toString())) != maxDoc) {
      return false;
    }
    long sum = 0;
    for (UUID owner : new HashSet<>(owners)) {
      sum += reader.docFreq(new Term(OWNER, owner.toString()));
    }
    return sum == maxDoc;
  }

  /**
   * BM25 over the analysed words of {@code text} (any word may match; repeated words weigh more), restricted by
   * {@code filter}; null when the text has no searchable word (e.g. only stop words).
   */
  static Query textQuery(Analyzer analyzer, String text, Query filter) {
    var words = new BooleanQuery.Builder();
    int n = 0;
    try (TokenStream ts = analyzer.tokenStream(TEXT, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken() && n < MAX_QUERY_TERMS) {
        words.add(new TermQuery(new Term(TEXT, term.toString())), Occur.SHOULD);
        n++;
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (n == 0) {
      return null;
    }
    return new BooleanQuery.Builder().add(words.build(), Occur.MUST).add(filter, Occur.FILTER).build();
  }

  /** Lucene scores DOT_PRODUCT hits as {@code (1 + dot) / 2}; for unit vectors the dot is the cosine. */
  static double cosine(float luceneScore) {
    return 2.0 * luceneScore - 1.0;
  }
}
