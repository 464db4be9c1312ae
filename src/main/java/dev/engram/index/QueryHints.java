package dev.engram.index;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;

/**
 * Query rewriting without a model, for the BM25 half of hybrid search. Two hints, each a set of extra boosted words:
 * <ul>
 *   <li>names: words written with a capital inside the query (people, places, months: "When did Caroline go to
 *       Paris in May?") and four-digit years weigh {@code nameBoost} more than the other query words. A question
 *       about a person is answered by what that person said or what was said about them, and in conversation
 *       transcripts the name is on every such line; plain BM25 gives a name that occurs on half the lines almost no
 *       weight.</li>
 *   <li>time: a question that asks for a time ("when", "what year", "how long ago") gets the words by which people
 *       place events in time ("yesterday", "last week", "next month", "ago") with boost {@code timeBoost}: the
 *       passage that answers it usually says when relative to the moment it was written, not in the question's
 *       words.</li>
 * </ul>
 */
public final class QueryHints {
  /** A capitalised word not at the start of the text, or a year. */
  private static final Pattern NAME = Pattern.compile("(?<=\\S\\s{1,3})\\p{Lu}[\\p{L}'’-]+|\\b(?:19|20)\\d\\d\\b");
  private static final Pattern ASKS_TIME = Pattern.compile(
      "^\\W*(when\\b|what (year|month|date|day|time|week)\\b|which (year|month|date|day|week)\\b|how long ago\\b)",
      Pattern.CASE_INSENSITIVE);
  static final List<String> TIME_WORDS = List.of("yesterday", "today", "tonight", "tomorrow", "ago", "last",
      "next", "week", "weekend", "month", "year", "recently", "since");

  /**
   * @param nameBoost the extra weight of a name or year of the query (0 off; a query word weighs 1)
   * @param timeBoost the weight of each time word added to a question that asks for a time (0 off)
   */
  public record Settings(float nameBoost, float timeBoost) {
    /**
     * Time words at 0.7, no name boost: chosen leave one conversation out on LoCoMo (time 0.7 on four folds of five,
     * 0.5 on the fifth; held-out any@5 0.740 -> 0.756, temporal questions 0.837 -> 0.875, the other categories
     * unchanged). Boosting names did not generalise (0.731 -> 0.732 alone, and it lowered multi-hop and open-domain
     * with the time words); see src/site/markdown/retrieval.md.
     */
    public static final Settings DEFAULTS = new Settings(0, 0.7f);
    public static final Settings OFF = new Settings(0, 0);

    public boolean on() {
      return nameBoost > 0 || timeBoost > 0;
    }
  }

  private QueryHints() {}

  /** The extra words for {@code text} with their boosts (analysed as the query's words are); empty when none. */
  static Map<String, Float> extra(Analyzer analyzer, String text, Settings settings) {
    Map<String, Float> out = new LinkedHashMap<>();
    if (text == null || !settings.on()) {
      return out;
    }
    if (settings.nameBoost() > 0) {
      Matcher m = NAME.matcher(text);
      while (m.find()) {
        for (String word : LuceneDocs.words(analyzer, m.group())) {
          out.put(word, settings.nameBoost());
        }
      }
    }
    if (settings.timeBoost() > 0 && ASKS_TIME.matcher(text).find()) {
      for (String word : LuceneDocs.words(analyzer, String.join(" ", TIME_WORDS))) {
        out.putIfAbsent(word, settings.timeBoost());
      }
    }
    return out;
  }
}
