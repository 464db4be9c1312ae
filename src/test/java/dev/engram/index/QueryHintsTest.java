package dev.engram.index;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The query rewriting that the LoCoMo leave-one-out run measured (off by default: it did not raise the mean). */
class QueryHintsTest {
  private static final QueryHints.Settings BOTH = new QueryHints.Settings(0.5f, 0.3f);

  @Test
  @DisplayName("names inside the query and years are boosted; the question word at the start is not a name")
  void namesAndYears() {
    Map<String, Float> extra = QueryHints.extra(TextAnalysis.query(), "What did Caroline do in Paris in 2023?", BOTH);
    assertEquals(Map.of("carolin", 0.5f, "pari", 0.5f, "2023", 0.5f), extra);
  }

  @Test
  @DisplayName("a question that asks for a time gets the words that place events in time; others do not")
  void timeWords() {
    Map<String, Float> when = QueryHints.extra(TextAnalysis.query(), "when did the team win the cup?", BOTH);
    assertEquals(0.3f, when.get("yesterdai"));
    assertEquals(0.3f, when.get("week"));
    assertEquals(0.3f, when.get("ago"));
    assertTrue(QueryHints.extra(TextAnalysis.query(), "what did the team win?", BOTH).isEmpty());
    assertTrue(QueryHints.extra(TextAnalysis.query(), "When did Ann go?", QueryHints.Settings.OFF).isEmpty());
  }
}
