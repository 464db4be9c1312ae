package dev.engram.index;

import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.en.EnglishAnalyzer;

/**
 * The analysers of the BM25 text field. Passages are indexed with {@link EnglishAnalyzer} (its stop words, Porter
 * stemming). Queries go through the same chain with more stop words: searches are often questions ("When did Anna
 * move to Berlin?") whose question words, auxiliaries and pronouns occur in most passages and only add noise to the
 * ranking. These words stay in the index, so changing the list needs no reindex.
 */
final class TextAnalysis {
  /**
   * Stop words of queries only, on top of {@link EnglishAnalyzer#ENGLISH_STOP_WORDS_SET}. Modal "may" is not here:
   * it is also a month.
   */
  static final List<String> QUERY_STOP_WORDS = List.of(
      "what", "when", "where", "which", "who", "whom", "whose", "why", "how",
      "am", "were", "do", "does", "did", "has", "have", "had",
      "can", "could", "would", "should", "shall", "might", "must",
      "i", "me", "my", "you", "your", "he", "him", "his", "she", "her", "hers", "we", "us", "our", "it", "its",
      "them", "himself", "herself", "itself", "themselves", "about");

  private TextAnalysis() {}

  static Analyzer index() {
    return new EnglishAnalyzer();
  }

  static Analyzer query() {
    var stop = new CharArraySet(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, false);
    stop.addAll(QUERY_STOP_WORDS);
    return new EnglishAnalyzer(stop);
  }
}
