package dev.engram.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TermVectors;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.BytesRef;

/**
 * Pseudo-relevance feedback for BM25, in the manner of RM3: the few best passages of a first search are taken as
 * relevant, and their most telling words that the query lacks are added to it with a small weight. A word's weight
 * is {@code sum over the feedback passages of (passage score / best score) * tf * idf}; the best {@code terms} words
 * are added, the heaviest with boost {@code weight} and the others in proportion (each query word counts 1). Words
 * found in more than half of all passages say nothing about a topic and are never added. This finds passages that
 * answer in other words than the question's: the reply next to a matching remark shares its topic words and context
 * (names, dates) rather than the question's wording. It can also reorder the best hits themselves. Only hybrid search
 * uses it: a text search stays a keyword search.
 *
 * <p>The words come from the term vectors of the text field, so only the searched user's passages (the first
 * search's hits) lend words; idf is the index-wide one BM25 uses.
 */
public final class TextFeedback {
  /**
   * @param docs how many of the first search's best passages lend words (0 turns feedback off)
   * @param terms how many words are added at most
   * @param weight the boost of the heaviest added word (a query word has 1)
   */
  public record Settings(int docs, int terms, float weight) {
    public static final Settings DEFAULTS = new Settings(3, 10, 0.3f);
    public static final Settings OFF = new Settings(0, 0, 0);

    public boolean on() {
      return docs > 0 && terms > 0 && weight > 0;
    }
  }

  private TextFeedback() {}

  /** The words to add to a query of {@code queryTerms}, with their boosts, heaviest first; empty when none. */
  static Map<String, Float> expansion(IndexReader reader, ScoreDoc[] first, Collection<String> queryTerms,
      Settings settings) throws IOException {
    if (!settings.on() || first.length == 0 || first[0].score <= 0) {
      return Map.of();
    }
    TermVectors vectors = reader.termVectors();
    long docCount = Math.max(1, reader.getDocCount(LuceneDocs.TEXT));
    Map<String, Double> weights = new HashMap<>();
    for (int i = 0; i < Math.min(settings.docs(), first.length); i++) {
      Terms terms = vectors.get(first[i].doc, LuceneDocs.TEXT);
      if (terms == null) {
        continue;
      }
      double docWeight = first[i].score / first[0].score;
      TermsEnum it = terms.iterator();
      for (BytesRef term = it.next(); term != null; term = it.next()) {
        String word = term.utf8ToString();
        if (queryTerms.contains(word)) {
          continue;
        }
        int df = reader.docFreq(new Term(LuceneDocs.TEXT, term));
        if (2L * df > docCount) {
          continue;
        }
        double idf = Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
        weights.merge(word, docWeight * it.totalTermFreq() * idf, Double::sum);
      }
    }
    List<Map.Entry<String, Double>> best = new ArrayList<>(weights.entrySet());
    best.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    Map<String, Float> out = new LinkedHashMap<>();
    for (int i = 0; i < Math.min(settings.terms(), best.size()); i++) {
      double w = best.get(i).getValue();
      if (w <= 0) {
        break;
      }
      out.put(best.get(i).getKey(), (float) (settings.weight() * w / best.get(0).getValue()));
    }
    return out;
  }
}
