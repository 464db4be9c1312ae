package dev.engram.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Letta's prefixed ids: the same answers as the regular expression the ids were defined by. */
class PrefixedIdsTest {
  /** The definition: a kind of lower-case letters and underscores, a hyphen, a UUID of either case. */
  private static final Pattern WHOLE = Pattern.compile(
      "([a-z_]+)-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
  private static final List<String> KINDS = List.of("agent", "block", "message", "passage", "tool", "source", "file",
      "run", "job", "step", "conv", "user", "mcp_server");

  @Test
  @DisplayName("prefixes taken off and put on")
  void examples() {
    String id = "0f8b2c4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f";
    assertEquals(id, PrefixedIds.bare("agent-" + id));
    assertEquals(id, PrefixedIds.bare("agent-" + id.toUpperCase(Locale.ROOT)));
    assertEquals(id, PrefixedIds.bare("mcp_server-" + id, "mcp_server"));
    assertEquals("block-" + id, PrefixedIds.bare("block-" + id, "agent"));
    assertEquals("agent-" + id, PrefixedIds.prefixed("agent", id));
    assertEquals("tool-" + id, PrefixedIds.prefixed("agent", "tool-" + id));
    assertEquals("nope-" + id, PrefixedIds.bare("nope-" + id));
  }

  @Test
  @DisplayName("bare and prefixed agree with the regular expression on near-misses of every kind")
  void sameAsTheExpression() {
    Random random = new Random(1206);
    String alphabet = "abz_-AF09gG:é0f8b";
    for (int n = 0; n < 100_000; n++) {
      String uuid = UUID.randomUUID().toString();
      if (random.nextBoolean()) {
        uuid = uuid.toUpperCase(Locale.ROOT);
      }
      String kind = random.nextInt(4) == 0 ? randomText(random, alphabet, 1 + random.nextInt(6))
          : KINDS.get(random.nextInt(KINDS.size()));
      StringBuilder id = new StringBuilder(kind + "-" + uuid);
      for (int edits = random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(id.length());
        switch (random.nextInt(3)) {
          case 0 -> id.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> id.deleteCharAt(at);
          default -> id.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String s = random.nextInt(10) == 0 ? uuid : id.toString();
      String expectKind = KINDS.get(random.nextInt(KINDS.size()));
      assertEquals(bareByExpression(s), PrefixedIds.bare(s), s);
      assertEquals(bareByExpression(s, expectKind), PrefixedIds.bare(s, expectKind), s + " as " + expectKind);
      assertEquals(WHOLE.matcher(s).matches() ? s : expectKind + "-" + s, PrefixedIds.prefixed(expectKind, s), s);
    }
  }

  private static String bareByExpression(String id) {
    Matcher m = WHOLE.matcher(id);
    return m.matches() && KINDS.contains(m.group(1)) ? m.group(2).toLowerCase(Locale.ROOT) : id;
  }

  private static String bareByExpression(String id, String kind) {
    Matcher m = WHOLE.matcher(id);
    return m.matches() && m.group(1).equals(kind) ? m.group(2).toLowerCase(Locale.ROOT) : id;
  }

  private static String randomText(Random random, String alphabet, int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
