package dev.engram.http.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Renders JSON values the way Python's {@code repr} renders the equivalent dict, which is how MemGPT clients expect the
 * {@code function_call} event: {@code send_message({'message': "it's 42"})}.
 */
public final class PythonRepr {
  private PythonRepr() {}

  static String of(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value) {
    if (value == null) {
      out.append("None");
    } else if (value instanceof Boolean b) {
      out.append(b ? "True" : "False");
    } else if (value instanceof String s) {
      string(out, s);
    } else if (value instanceof JsonObject o) {
      dict(out, o.getMap());
    } else if (value instanceof Map<?, ?> m) {
      dict(out, m);
    } else if (value instanceof JsonArray a) {
      list(out, a.getList());
    } else if (value instanceof Iterable<?> it) {
      list(out, it);
    } else {
      out.append(value);
    }
  }

  private static void dict(StringBuilder out, Map<?, ?> map) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!first) {
        out.append(", ");
      }
      first = false;
      write(out, String.valueOf(e.getKey()));
      out.append(": ");
      write(out, e.getValue());
    }
    out.append('}');
  }

  private static void list(StringBuilder out, Iterable<?> items) {
    out.append('[');
    boolean first = true;
    for (Object item : items) {
      if (!first) {
        out.append(", ");
      }
      first = false;
      write(out, item);
    }
    out.append(']');
  }

  /** Python's rule: single quotes, unless the text has a single quote and no double quote. */
  private static void string(StringBuilder out, String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    out.append(quote);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c == quote) {
            out.append('\\').append(c);
          } else if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append(quote);
  }
}
