package dev.engram.index;

import dev.engram.embed.MiniLmEncoder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.PhraseQuery;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

/** Scratch experiment: dumps passages, questions, vectors and BM25 top lists for offline fusion analysis. */
public final class LocomoLab {
  private static final Pattern SESSION = Pattern.compile("^session_(\\d+)$");

  public static void main(String[] args) throws Exception {
    Path data = Path.of("../shared/data/locomo");
    Path out = Path.of("target/locomo-lab");
    Files.createDirectories(out);
    JsonArray conversations = new JsonArray(Files.readString(data.resolve("locomo-dev.json")));
    List<String> convOf = new ArrayList<>();
    List<String> diaOf = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (Object o : conversations) {
      JsonObject sample = (JsonObject) o;
      for (var e : passages(sample.getJsonObject("conversation")).entrySet()) {
        convOf.add(sample.getString("sample_id"));
        diaOf.add(e.getKey());
        texts.add(e.getValue());
      }
    }
    List<JsonObject> questions = new ArrayList<>();
    for (String line : Files.readAllLines(data.resolve("locomo-dev-qa.jsonl"))) {
      JsonObject q = new JsonObject(line);
      if (q.getInteger("category") <= 4 && !q.getJsonArray("evidence").isEmpty()) {
        questions.add(q);
      }
    }
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("passages.jsonl")))) {
      for (int i = 0; i < texts.size(); i++) {
        w.println(new JsonObject().put("conv", convOf.get(i)).put("dia", diaOf.get(i)).put("text", texts.get(i)));
      }
    }
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("questions.jsonl")))) {
      for (JsonObject q : questions) {
        w.println(q.encode());
      }
    }
    Path pv = out.resolve("passages.f32");
    Path qv = out.resolve("questions.f32");
    if (!Files.exists(pv) || !Files.exists(qv)) {
      try (MiniLmEncoder enc = MiniLmEncoder.load(2)) {
        write(pv, enc.encode(texts, 1));
        write(qv, enc.encode(questions.stream().map(q -> q.getString("question")).toList(), 1));
      }
    }
    System.out.println("passages " + texts.size() + " questions " + questions.size());
    String embedFile = System.getProperty("lab.embed");
    if (embedFile != null) {
      try (MiniLmEncoder enc = MiniLmEncoder.load(2)) {
        write(Path.of(embedFile + ".f32"), enc.encode(Files.readAllLines(Path.of(embedFile)), 1));
      }
    }
    if (Boolean.getBoolean("lab.terms")) {
      for (String stem : List.of("porter", "kstem", "none")) {
        Analyzer ia = analyzer("en", stem);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("pterms-" + stem + ".jsonl")))) {
          for (String t : texts) {
            w.println(new JsonArray(terms(ia, t)).encode());
          }
        }
        for (String stop : List.of("en", "enq", "sbq")) {
          Analyzer qa = analyzer(stop, stem);
          try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(
              out.resolve("qterms-" + stop + "-" + stem + ".jsonl")))) {
            for (JsonObject q : questions) {
              w.println(new JsonArray(terms(qa, q.getString("question"))).encode());
            }
          }
        }
      }
    }
    for (String spec : args) {
      // name:k1:b:stop  (stop = en | enq)
      String[] f = spec.split(":");
      bm25(out.resolve("bm25-" + f[0] + ".jsonl"), texts, convOf, questions, Float.parseFloat(f[1]),
          Float.parseFloat(f[2]), f[3], f.length > 4 ? f[4] : "porter", f.length > 5 ? Float.parseFloat(f[5]) : 0f,
          f.length > 6 ? Integer.parseInt(f[6]) : 0, f.length > 7 ? Float.parseFloat(f[7]) : 0f,
          f.length > 8 && f[8].equals("body"));
    }
  }

  static final List<String> QUESTION_WORDS = List.of("what", "when", "where", "who", "whom", "whose", "which", "why",
      "how", "did", "do", "does", "has", "have", "had", "would", "could", "should", "can", "is", "are", "was", "were",
      "ever", "kind", "type", "sort");

  static Analyzer analyzer(String stop, String stem) {
    var set = new CharArraySet(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, true);
    if (stop.equals("enq") || stop.equals("sbq")) {
      set.addAll(QUESTION_WORDS);
    }
    if (stop.startsWith("sb")) {
      try (var r = new java.io.InputStreamReader(org.apache.lucene.analysis.snowball.SnowballFilter.class
          .getResourceAsStream("english_stop.txt"), java.nio.charset.StandardCharsets.UTF_8)) {
        set.addAll(org.apache.lucene.analysis.WordlistLoader.getSnowballWordSet(r));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String field) {
        var source = new StandardTokenizer();
        TokenStream t = new EnglishPossessiveFilter(source);
        t = new LowerCaseFilter(t);
        t = new StopFilter(t, set);
        switch (stem) {
          case "porter" -> t = new PorterStemFilter(t);
          case "kstem" -> t = new KStemFilter(t);
          case "snow" -> t = new SnowballFilter(t, new EnglishStemmer());
          case "min" -> t = new EnglishMinimalStemFilter(t);
          default -> { }
        }
        return new TokenStreamComponents(source, t);
      }
    };
  }

  /** Terms SHOULD, plus adjacent-pair phrases (slop) boosted by {@code phraseBoost} when above 0. */
  static final Pattern HEAD = Pattern.compile("^\\(([^)]*)\\) ([^:]+): ");

  static Query query(Analyzer analyzer, String text, Query filter, float phraseBoost, int slop, float speakerBoost)
      throws Exception {
    var words = new BooleanQuery.Builder();
    List<String> terms = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    try (TokenStream ts = analyzer.tokenStream("text", text)) {
      var term = ts.addAttribute(CharTermAttribute.class);
      var inc = ts.addAttribute(PositionIncrementAttribute.class);
      ts.reset();
      int pos = -1;
      while (ts.incrementToken()) {
        pos += inc.getPositionIncrement();
        terms.add(term.toString());
        positions.add(pos);
        words.add(new TermQuery(new Term("text", term.toString())), Occur.SHOULD);
        if (speakerBoost > 0) {
          words.add(new BoostQuery(new TermQuery(new Term("speaker", term.toString())), speakerBoost), Occur.SHOULD);
        }
      }
      ts.end();
    }
    if (terms.isEmpty()) {
      return null;
    }
    if (phraseBoost > 0) {
      for (int i = 0; i + 1 < terms.size(); i++) {
        var pq = new PhraseQuery.Builder().add(new Term("text", terms.get(i)), 0)
            .add(new Term("text", terms.get(i + 1)), 1).setSlop(slop).build();
        words.add(new BoostQuery(pq, phraseBoost), Occur.SHOULD);
      }
    }
    return new BooleanQuery.Builder().add(words.build(), Occur.MUST).add(filter, Occur.FILTER).build();
  }

  static void bm25(Path file, List<String> texts, List<String> convOf, List<JsonObject> questions, float k1, float b,
      String stop, String stem, float phraseBoost, int slop, float speakerBoost, boolean body) throws Exception {
    Analyzer indexAnalyzer = analyzer("en", stem);
    Analyzer queryAnalyzer = analyzer(stop, stem);
    boolean per = Boolean.getBoolean("lab.per");
    var sim = new BM25Similarity(k1, b);
    Map<String, ByteBuffersDirectory> dirs = new java.util.HashMap<>();
    Map<String, IndexWriter> writers = new java.util.HashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      String key = per ? convOf.get(i) : "all";
      IndexWriter w = writers.get(key);
      if (w == null) {
        var dir = new ByteBuffersDirectory();
        dirs.put(key, dir);
        var cfg = new IndexWriterConfig(indexAnalyzer);
        cfg.setSimilarity(sim);
        w = new IndexWriter(dir, cfg);
        writers.put(key, w);
      }
      var doc = new Document();
      doc.add(new StoredField("i", i));
      doc.add(new StoredField("raw", texts.get(i)));
      doc.add(new StringField("owner", convOf.get(i), Field.Store.NO));
      Matcher m = HEAD.matcher(texts.get(i));
      m.find();
      doc.add(new TextField("speaker", m.group(2), Field.Store.NO));
      doc.add(new TextField("text", body ? texts.get(i).substring(m.end()) : texts.get(i), Field.Store.NO));
      w.addDocument(doc);
    }
    for (IndexWriter w : writers.values()) {
      w.close();
    }
    Map<String, IndexSearcher> searchers = new java.util.HashMap<>();
    for (var e : dirs.entrySet()) {
      var searcher = new IndexSearcher(DirectoryReader.open(e.getValue()));
      searcher.setSimilarity(sim);
      searchers.put(e.getKey(), searcher);
    }
    try (var pw = new PrintWriter(Files.newBufferedWriter(file))) {
      for (JsonObject q : questions) {
        var searcher = searchers.get(per ? q.getString("sample_id") : "all");
        Query filter = new TermQuery(new Term("owner", q.getString("sample_id")));
        Query query = query(queryAnalyzer, q.getString("question"), filter, phraseBoost, slop, speakerBoost);
        JsonArray hits = new JsonArray();
        if (query != null) {
          ScoreDoc[] first = searcher.search(query, 200).scoreDocs;
          int prfDocs = Integer.getInteger("lab.prf.docs", 0);
          if (prfDocs > 0 && first.length > 0) {
            query = expand(searcher, indexAnalyzer, queryAnalyzer, q.getString("question"), query, first, prfDocs,
                Integer.getInteger("lab.prf.terms", 10), Float.parseFloat(System.getProperty("lab.prf.beta", "0.3")));
          }
          for (ScoreDoc d : searcher.search(query, 200).scoreDocs) {
            hits.add(new JsonArray().add(searcher.storedFields().document(d.doc).getField("i").numericValue())
                .add(d.score));
          }
        }
        pw.println(hits.encode());
      }
    }
  }

  static Query expand(IndexSearcher searcher, Analyzer indexAnalyzer, Analyzer queryAnalyzer, String question,
      Query original, ScoreDoc[] first, int docs, int terms, float beta) throws Exception {
    java.util.Set<String> qterms = new java.util.HashSet<>();
    try (TokenStream ts = indexAnalyzer.tokenStream("text", question)) {
      var term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        qterms.add(term.toString());
      }
      ts.end();
    }
    Map<String, Double> w = new java.util.HashMap<>();
    int n = searcher.getIndexReader().numDocs();
    double top = first[0].score;
    for (int k = 0; k < Math.min(docs, first.length); k++) {
      String raw = searcher.storedFields().document(first[k].doc).get("raw");
      Map<String, Integer> tf = new java.util.HashMap<>();
      try (TokenStream ts = indexAnalyzer.tokenStream("text", raw)) {
        var term = ts.addAttribute(CharTermAttribute.class);
        ts.reset();
        while (ts.incrementToken()) {
          tf.merge(term.toString(), 1, Integer::sum);
        }
        ts.end();
      }
      double dw = first[k].score / top;
      for (var e : tf.entrySet()) {
        if (qterms.contains(e.getKey())) {
          continue;
        }
        int df = searcher.getIndexReader().docFreq(new Term("text", e.getKey()));
        double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        w.merge(e.getKey(), dw * e.getValue() * idf, Double::sum);
      }
    }
    var best = w.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(terms)
        .toList();
    if (best.isEmpty()) {
      return original;
    }
    double max = best.get(0).getValue();
    var b = new BooleanQuery.Builder().add(original, Occur.SHOULD);
    for (var e : best) {
      b.add(new BoostQuery(new TermQuery(new Term("text", e.getKey())), (float) (beta * e.getValue() / max)),
          Occur.SHOULD);
    }
    // keep the owner filter: the original already carries it as FILTER; a SHOULD-only expansion could leak
    return new BooleanQuery.Builder().add(b.build(), Occur.MUST)
        .add(((BooleanQuery) original).clauses().get(1).getQuery(), Occur.FILTER).build();
  }

  static List<Object> terms(Analyzer a, String text) throws Exception {
    List<Object> out = new ArrayList<>();
    try (TokenStream ts = a.tokenStream("text", text)) {
      var term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    }
    return out;
  }

  static void write(Path p, float[][] vs) throws Exception {
    try (var o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(p)))) {
      for (float[] v : vs) {
        for (float f : v) {
          o.writeFloat(f);
        }
      }
    }
  }

  static Map<String, String> passages(JsonObject conversation) {
    Map<Integer, String> sessions = new TreeMap<>();
    for (String field : conversation.fieldNames()) {
      Matcher m = SESSION.matcher(field);
      if (m.matches()) {
        sessions.put(Integer.parseInt(m.group(1)), field);
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String field : sessions.values()) {
      String date = conversation.getString(field + "_date_time");
      for (Object t : conversation.getJsonArray(field)) {
        JsonObject turn = (JsonObject) t;
        String caption = turn.getString("blip_caption");
        out.put(turn.getString("dia_id"), "(" + date + ") " + turn.getString("speaker") + ": " + turn.getString("text")
            + (caption == null ? "" : " [shares " + caption + "]"));
      }
    }
    return out;
  }
}
