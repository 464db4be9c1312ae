package dev.engram.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A route path as the router writes it ({@code /api/agents/:agent_id/config}, {@code /app/*}) as a regex. */
public final class PathTemplate {
  private static final Pattern PARAM = Pattern.compile(":[A-Za-z0-9_]+");

  private PathTemplate() {}

  /** Matches what the router matches: a parameter is one non-empty segment, a trailing {@code *} any rest. */
  public static Pattern compile(String template) {
    boolean prefix = template.endsWith("*");
    String body = prefix ? template.substring(0, template.length() - 1) : template;
    StringBuilder regex = new StringBuilder();
    Matcher m = PARAM.matcher(body);
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(body.substring(last, m.start()))).append("[^/]+");
      last = m.end();
    }
    regex.append(Pattern.quote(body.substring(last))).append(prefix ? ".*" : "/?");
    return Pattern.compile(regex.toString());
  }
}
