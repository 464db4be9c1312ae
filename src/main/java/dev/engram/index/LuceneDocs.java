package dev.engram.index;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.ScoredPassage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.util.Bits;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
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
  /** The vectors of large owners searched by HNSW, with its graph (see {@link ScopeVectors}). */
  static final String VECTOR = "vector";
  /** The vectors of owners searched by an exact scan in memory: no graph ({@link ExactVectorsFormat}). */
  static final String EXACT_VECTOR = "exact_vector";
  /**
   * The vectors of large owners searched by a scan of the segments' byte codes ({@link StoredVectorScan}): no graph
   * either ({@link ExactVectorsFormat}), and not held in memory as floats.
   */
  static final String LARGE_VECTOR = "large_vector";
  /** Every field a passage's vector may be in: where to look for it. */
  static final List<String> VECTOR_FIELDS = List.of(EXACT_VECTOR, LARGE_VECTOR, VECTOR);
  /** The fields of large owners' vectors: those {@link QuantizedVectors} copies and {@link StoredVectorScan} reads. */
  static final List<String> LARGE_FIELDS = List.of(LARGE_VECTOR, VECTOR);
  /**
   * The text again, stored, in documents whose vector is in a field without a graph ({@link #EXACT_VECTOR}, {@link
   * #LARGE_VECTOR}): when their owner outgrows exact search, {@link OwnerMoves#move} rebuilds them with the vector in
   * a large owner's field from what the index holds.
   */
  static final String KEPT_TEXT = "kept_text";
  /**
   * The id's two halves again, as doc values: a hit's id without decompressing a block of stored fields (with the
   * texts kept beside, that was a fifth of a search's own time at 100,000 memories). Documents written before have
   * none: {@link #idOf} reads their stored id. Only adds fields, so the layout stays 3.
   */
  static final String ID_HIGH = "id_high";
  static final String ID_LOW = "id_low";
  private static final Set<String> ID_ONLY = Set.of(ID);
  /** A text query keeps at most this many terms (Lucene refuses more than 1024 clauses). */
  static final int MAX_QUERY_TERMS = 512;
  /**
   * The version of this layout, kept in each commit: an index written with another one is discarded on open (and
   * rebuilt from the database). 2: the text field keeps term vectors (for {@link TextFeedback}); seq is also a point
   * and the owner is stored (for {@link PassageContext}). 3: the vectors of small owners are in {@link #EXACT_VECTOR}
   * with their text kept. Still 3 with {@link #LARGE_VECTOR}, which only adds a field: an index of layout 3 opens as
   * it is, its large owners in the HNSW field.
   */
  static final String LAYOUT = "3";
  static final String LAYOUT_KEY = "engram.layout";
  /**
   * The text field: indexed with frequencies and positions, not stored; with term vectors (terms and frequencies)
   * only where search feedback reads them.
   */
  private static final FieldType TEXT_WITH_VECTORS = textType(true);
  private static final FieldType TEXT_PLAIN = textType(false);

  private LuceneDocs() {}

  static Term idTerm(UUID id) {
    return new Term(ID, id.toString());
  }

  /**
   * {@code termVectors}: keep the text's term vectors (for {@link TextFeedback}); {@code vectorField}: one of {@link
   * #VECTOR_FIELDS}, where the vector goes (the text is kept too in a field without a graph).
   */
  static Document document(IndexedPassage p, boolean termVectors, String vectorField) {
    var doc = new Document();
    doc.add(new StringField(ID, p.id().toString(), Field.Store.YES));
    doc.add(new NumericDocValuesField(ID_HIGH, p.id().getMostSignificantBits()));
    doc.add(new NumericDocValuesField(ID_LOW, p.id().getLeastSignificantBits()));
    doc.add(new NumericDocValuesField(SEQ, p.seq()));
    doc.add(new LongPoint(SEQ, p.seq()));
    doc.add(new StoredField(SEQ, p.seq()));
    doc.add(new StringField(USER, p.userId().toString(), Field.Store.NO));
    doc.add(new StringField(OWNER, p.ownerId().toString(), Field.Store.YES));
    doc.add(new Field(TEXT, p.text() == null ? "" : p.text(), termVectors ? TEXT_WITH_VECTORS : TEXT_PLAIN));
    if (p.vector() != null) {
      doc.add(new KnnFloatVectorField(vectorField, p.vector(), VectorSimilarityFunction.DOT_PRODUCT));
      if (!vectorField.equals(VECTOR)) {
        doc.add(new StoredField(KEPT_TEXT, p.text() == null ? "" : p.text()));
      }
    }
    return doc;
  }

  /**
   * The passage id of document {@code doc} (top-level) of {@code reader}: from its doc values, or from {@code fields}
   * (the reader's stored fields; one instance serves all hits of a search, each keeps its own buffers).
   */
  static UUID idOf(IndexReader reader, StoredFields fields, int doc) throws IOException {
    List<LeafReaderContext> leaves = reader.leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    NumericDocValues high = leaf.reader().getNumericDocValues(ID_HIGH);
    NumericDocValues low = leaf.reader().getNumericDocValues(ID_LOW);
    int local = doc - leaf.docBase;
    if (high != null && low != null && high.advanceExact(local) && low.advanceExact(local)) {
      return new UUID(high.longValue(), low.longValue());
    }
    return UUID.fromString(fields.document(doc, ID_ONLY).get(ID));
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
   * {@link #filter(UUID, Collection)} for a search of {@code reader}, or null when it would admit every document: such
   * a filter only costs time. Lucene builds a bit set of it per segment for a k-NN search, and it turns a BM25 query
   * into a conjunction, which Lucene 9 scores with WAND document by document instead of its faster disjunction
   * scorer (MaxScore over windows of documents).
   */
  static Query filter(IndexReader reader, UUID user, Collection<UUID> owners) throws IOException {
    return matchesAll(reader, user, owners) ? null : filter(user, owners);
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
    return ownedDocs(reader, owners) == maxDoc;
  }

  /** How many documents the owners hold, deleted ones included until a merge drops them (an upper bound). */
  static long ownedDocs(IndexReader reader, Collection<UUID> owners) throws IOException {
    long sum = 0;
    for (UUID owner : new HashSet<>(owners)) {
      sum += reader.docFreq(new Term(OWNER, owner.toString()));
    }
    return sum;
  }

  /**
   * For each document of the segment, the ordinal in {@code names} of its term in the one-term {@code field} (user,
   * owner), -1 for none; the terms are appended to {@code names} in term order.
   */
  static int[] termOrdinals(LeafReader reader, String field, List<String> names) throws IOException {
    int[] out = new int[reader.maxDoc()];
    Arrays.fill(out, -1);
    Terms terms = reader.terms(field);
    if (terms == null) {
      return out;
    }
    TermsEnum it = terms.iterator();
    PostingsEnum postings = null;
    for (BytesRef term = it.next(); term != null; term = it.next()) {
      int ordinal = names.size();
      names.add(term.utf8ToString());
      postings = it.postings(postings, PostingsEnum.NONE);
      for (int d = postings.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = postings.nextDoc()) {
        out[d] = ordinal;
      }
    }
    return out;
  }

  /** The analysed words of {@code text}, in order, repeats kept; at most {@link #MAX_QUERY_TERMS}. */
  static List<String> words(Analyzer analyzer, String text) {
    var out = new ArrayList<String>();
    try (TokenStream ts = analyzer.tokenStream(TEXT, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken() && out.size() < MAX_QUERY_TERMS) {
        out.add(term.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * BM25 over {@code words} (any may match; a repeated word weighs more) and up to {@link #MAX_QUERY_TERMS} boosted
   * {@code extra} words, restricted by {@code filter} (none when null); null when there is no word.
   */
  static Query textQuery(List<String> words, Map<String, Float> extra, Query filter) {
    if (words.isEmpty()) {
      return null;
    }
    var any = new BooleanQuery.Builder();
    for (String w : words) {
      any.add(new TermQuery(new Term(TEXT, w)), Occur.SHOULD);
    }
    int room = MAX_QUERY_TERMS;
    for (Map.Entry<String, Float> e : extra.entrySet()) {
      if (room-- == 0) {
        break;
      }
      any.add(new BoostQuery(new TermQuery(new Term(TEXT, e.getKey())), e.getValue()), Occur.SHOULD);
    }
    return filter == null ? any.build()
        : new BooleanQuery.Builder().add(any.build(), Occur.MUST).add(filter, Occur.FILTER).build();
  }

  private static FieldType textType(boolean termVectors) {
    var type = new FieldType(TextField.TYPE_NOT_STORED);
    type.setStoreTermVectors(termVectors);
    type.freeze();
    return type;
  }

  /**
   * The hits as Lucene documents of {@code searcher}, scored as Lucene scores DOT_PRODUCT, in their order; a hit whose
   * document the searcher does not hold (deleted meanwhile) is left out.
   */
  static TopDocs docsOf(IndexSearcher searcher, List<ScoredPassage> hits) throws IOException {
    var docs = new ArrayList<ScoreDoc>(hits.size());
    var lookup = new IdLookup(searcher.getIndexReader().leaves());
    for (ScoredPassage hit : hits) {
      int doc = lookup.liveDoc(idTerm(hit.id()).bytes());
      if (doc >= 0) {
        docs.add(new ScoreDoc(doc, (float) ((1 + hit.score()) / 2)));
      }
    }
    return new TopDocs(new TotalHits(docs.size(), TotalHits.Relation.EQUAL_TO), docs.toArray(ScoreDoc[]::new));
  }

  /** The best {@code n} hits of two rankings of one searcher, scored alike, best first (ties: {@code a}'s first). */
  static TopDocs merge(int n, TopDocs a, TopDocs b) {
    var all = new ArrayList<ScoreDoc>(a.scoreDocs.length + b.scoreDocs.length);
    all.addAll(List.of(a.scoreDocs));
    all.addAll(List.of(b.scoreDocs));
    all.sort((x, y) -> Float.compare(y.score, x.score));
    ScoreDoc[] top = all.subList(0, Math.min(n, all.size())).toArray(ScoreDoc[]::new);
    return new TopDocs(new TotalHits(top.length, TotalHits.Relation.EQUAL_TO), top);
  }

  /**
   * Finds passages' live documents by id, with one terms enumeration and one postings enumeration per segment for all
   * of them: a fresh pair per lookup (what {@code LeafReader.postings(Term)} makes) allocated tens of KB each, and a
   * hybrid search looks up its 50 vector hits in every segment (JFR of {@code scripts/bench.sh memories --search-callers
   * 8}: most of a search's allocation).
   */
  private static final class IdLookup {
    private final List<LeafReaderContext> leaves;
    private final TermsEnum[] terms;
    private final PostingsEnum[] postings;

    IdLookup(List<LeafReaderContext> leaves) {
      this.leaves = leaves;
      terms = new TermsEnum[leaves.size()];
      postings = new PostingsEnum[leaves.size()];
    }

    /** The live document holding {@code id}, or -1. */
    int liveDoc(BytesRef id) throws IOException {
      for (LeafReaderContext leaf : leaves) {
        TermsEnum it = terms[leaf.ord];
        if (it == null) {
          Terms ids = leaf.reader().terms(ID);
          if (ids == null) {
            continue;
          }
          it = terms[leaf.ord] = ids.iterator();
        }
        if (!it.seekExact(id)) {
          continue;
        }
        PostingsEnum docs = postings[leaf.ord] = it.postings(postings[leaf.ord], PostingsEnum.NONE);
        Bits live = leaf.reader().getLiveDocs();
        for (int d = docs.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = docs.nextDoc()) {
          if (live == null || live.get(d)) {
            return leaf.docBase + d;
          }
        }
      }
      return -1;
    }
  }

  /** Lucene scores DOT_PRODUCT hits as {@code (1 + dot) / 2}; for unit vectors the dot is the cosine. */
  static double cosine(float luceneScore) {
    return 2.0 * luceneScore - 1.0;
  }
}
