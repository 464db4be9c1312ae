package dev.engram.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The key duplicates are found by: it must stay the one the stored rows were hashed with. */
class MemoryRowsTest {
  /** The definition the stored hashes were made with (before the loop replaced it). */
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[\\p{Punct}\\s]+$");

  private static String byExpressions(String text) {
    String folded = SPACES.matcher(text.strip().toLowerCase(Locale.ROOT)).replaceAll(" ");
    return TRAILING_PUNCTUATION.matcher(folded).replaceAll("");
  }

  @Test
  @DisplayName("the normalised text: case, inner white space and trailing punctuation folded away")
  void folds() {
    assertEquals("i like tea", MemoryRows.normalised("  I   like\tTEA!!! "));
    assertEquals("i like tea", MemoryRows.normalised("I like tea.\n"));
    assertEquals("it costs $5", MemoryRows.normalised("It costs $5?!"));
    assertEquals("é, ü and ß stay…", MemoryRows.normalised("É, Ü and ß stay…"));
    assertEquals("", MemoryRows.normalised("?! ."));
    assertEquals(MemoryRows.md5("i like tea"), MemoryRows.normalisedHash("I like tea!"));
  }

  @Test
  @DisplayName("the same key as the regular expressions the stored hashes were made with, end anchor included")
  void sameAsTheExpressions() {
    String[] edges = {"", " ", "a", "!", "a!", "!a", "a\u0085", "a!\u0085", "a !\u0085", "!\u0085", "a!\u0085!",
        "a\u2028!", "a!\u2028", "a\r\n", "a!\r\n!", "a\u000B!\f", "a\u00A0!", "\u00A0!", "a!\u00A0", "a \u2003 b!",
        "İstanbul!", "ΣΑΣ.", "a\u0085\u0085!", "a!\u0085 ", "tab\tsep\u000Bend.\u001F", "🙂!", "a\u001C!"};
    for (String edge : edges) {
      assertEquals(byExpressions(edge), MemoryRows.normalised(edge), () -> "text: " + escaped(edge));
    }
    char[] alphabet = {'a', 'B', 'z', 'Ä', 'İ', ' ', '\t', '\n', '\r', '\u000B', '\f', '\u0085', '\u2028', '\u2029',
        '\u00A0', '\u2003', '\u001C', '!', '.', '?', ',', '~', '{', '@', '[', '`', '/', '…', '¿', '0'};
    Random random = new Random(20261206);
    for (int n = 0; n < 200_000; n++) {
      char[] text = new char[random.nextInt(9)];
      for (int i = 0; i < text.length; i++) {
        text[i] = alphabet[random.nextInt(alphabet.length)];
      }
      String s = new String(text);
      assertEquals(byExpressions(s), MemoryRows.normalised(s), () -> "text: " + escaped(s));
    }
  }

  private static String escaped(String s) {
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04X", c) : String.valueOf((char) c)));
    return b.toString();
  }
}
