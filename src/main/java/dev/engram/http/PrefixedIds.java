package dev.engram.http;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Letta's ids are {@code <prefix>-<uuid>} ({@code agent-…}, {@code block-…}, {@code message-…}); Engram stores bare
 * UUIDs. Both APIs accept both forms wherever an id goes (paths, query parameters, body fields); {@code /v1} renders
 * the prefixed form, {@code /api} the bare one, so one object has one id on either API.
 */
public final class PrefixedIds {
  /** The prefixes of Letta's object kinds ({@code PrimitiveType}); folders use {@code source}. */
  public static final String AGENT = "agent";
  public static final String BLOCK = "block";
  public static final String MESSAGE = "message";
  public static final String PASSAGE = "passage";
  public static final String TOOL = "tool";
  public static final String SOURCE = "source";
  public static final String FILE = "file";
  public static final String RUN = "run";
  public static final String JOB = "job";
  public static final String STEP = "step";
  public static final String CONVERSATION = "conv";
  public static final String USER = "user";

  private static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
  private static final String KINDS = "agent|block|message|passage|tool|source|file|run|job|step|conv|user|archive"
      + "|identity|group|provider|model|sandbox|org|mcp_server";
  /** A prefixed id standing alone (a path segment or a whole parameter value). */
  private static final Pattern PREFIXED = Pattern.compile("(?<![0-9A-Za-z_-])(?:" + KINDS + ")-(" + UUID + ")(?![0-9A-Za-z_-])");
  private static final Pattern WHOLE = Pattern.compile("(?:" + KINDS + ")-(" + UUID + ")");

  private PrefixedIds() {}

  /** The bare UUID of {@code id} when it is prefixed, else {@code id} unchanged (null stays null). */
  public static String bare(String id) {
    if (id == null) {
      return null;
    }
    Matcher m = WHOLE.matcher(id);
    return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : id;
  }

  /** {@code kind-id}; an id already prefixed is returned as it is. */
  public static String prefixed(String kind, String id) {
    if (id == null) {
      return null;
    }
    return WHOLE.matcher(id).matches() ? id : kind + "-" + id;
  }

  /** {@code text} (a path or a query string) with every prefixed id in it made bare; the same string when none. */
  public static String bareAll(String text) {
    if (text == null || text.indexOf('-') < 0) {
      return text;
    }
    Matcher m = PREFIXED.matcher(text);
    return m.find() ? m.replaceAll(r -> r.group(1).toLowerCase(Locale.ROOT)) : text;
  }
}
