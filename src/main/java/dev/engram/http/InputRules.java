package dev.engram.http;

import dev.engram.kernel.ApiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rules every request meets before a route sees it, so that no route can forget them: its URL decodes (every
 * {@code %} starts a two-hex-digit escape, and the decoded bytes are UTF-8), and no text in it holds what PostgreSQL's
 * text and jsonb cannot: the NUL character U+0000, or an unpaired UTF-16 surrogate (JSON's {@code "\ud800"} alone is
 * well-formed JSON but no Unicode character, and has no UTF-8 form). Such text is refused in the path, in query
 * parameter names and values, in every string and key of a JSON body, in multipart names ({@link UploadBody}) and in
 * WebSocket frames ({@link dev.engram.http.api.AgentSocket}). Other control characters are text and pass.
 */
public final class InputRules {
  private static final byte[] ESCAPED_NUL = "\\u0000".getBytes(StandardCharsets.US_ASCII);

  private InputRules() {}

  /** Route handler: the path and the query, then the JSON body if one was read. */
  public static void check(RoutingContext ctx) {
    checkUrl(ctx.request().path(), ctx.request().query());
    var body = ctx.body();
    if (body != null && body.buffer() != null && body.length() > 0 && mayHoldBadText(body.buffer())) {
      Object json;
      try {
        json = Json.decodeValue(body.buffer());
      } catch (DecodeException e) {
        json = null; // not JSON: the route refuses it with its own message
      }
      requireText(json, "the JSON body");
    }
    ctx.next();
  }

  public static void checkUrl(String path, String query) {
    if (nul(decode(path, "path"))) {
      throw nulFound("the URL path");
    }
    if (query == null || query.isEmpty()) {
      return;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
      if (nul(name)) {
        throw nulFound("the name of a query parameter");
      }
      if (eq >= 0 && nul(decode(pair.substring(eq + 1), "query"))) {
        throw nulFound("query parameter " + name);
      }
    }
  }

  /** Fails with 400 naming the place of the first NUL or unpaired surrogate in a JSON value's strings and keys. */
  public static void requireText(Object json, String where) {
    Found found = find(json, "");
    if (found != null) {
      throw refused(found.bad(), where + found.at());
    }
  }

  public static ApiException nulFound(String where) {
    return ApiException.badRequest("Text may not contain the NUL character (U+0000): found in " + where);
  }

  private static ApiException refused(int bad, String where) {
    return bad == 0 ? nulFound(where) : ApiException.badRequest("Text must be valid Unicode: an unpaired surrogate"
        + " (U+" + Integer.toHexString(bad).toUpperCase(Locale.ROOT) + ", half of a UTF-16 pair) was found"
        + " in " + where);
  }

  public static boolean nul(String s) {
    return s != null && s.indexOf('\u0000') >= 0;
  }

  /** The first character text cannot hold (NUL, or a surrogate without its other half), or -1. */
  private static int badChar(String s) {
    if (s == null) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return 0;
      }
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return c;
      }
    }
    return -1;
  }

  private static String decode(String s, String part) {
    int percent = s.indexOf('%');
    if (percent < 0) {
      return s;
    }
    for (int i = percent; i < s.length(); i++) {
      if (s.charAt(i) == '%') {
        if (i + 2 >= s.length() || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2))) {
          throw ApiException.badRequest("The URL has a malformed percent-escape in its " + part
              + ": every % must start an escape of two hex digits (write a literal % as %25)");
        }
        i += 2;
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        bytes.write(Integer.parseInt(s, i + 1, i + 3, 16));
        i += 2;
      } else if (c == '+') {
        bytes.write(' ');
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest("The URL's " + part + " is not UTF-8 once its percent-escapes are decoded");
    }
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /**
   * A cheap pre-check. A NUL in JSON is a raw zero byte (invalid JSON) or the escape {@code \u0000}; a surrogate is an
   * escape {@code \ud800} to {@code \udfff} (most are halves of valid pairs) or the three bytes ED A0..BF .. that
   * some encoders write for one.
   */
  private static boolean mayHoldBadText(Buffer body) {
    int n = body.length();
    for (int i = 0; i < n; i++) {
      byte b = body.getByte(i);
      if (b == 0) {
        return true;
      }
      if (b == (byte) 0xED && i + 1 < n && (body.getByte(i + 1) & 0xE0) == 0xA0) {
        return true;
      }
      if (b == '\\' && i + ESCAPED_NUL.length <= n && body.getByte(i + 1) == 'u'
          && (escapedNulAt(body, i) || escapedSurrogateAt(body, i))) {
        return true;
      }
    }
    return false;
  }

  private static boolean escapedNulAt(Buffer body, int at) {
    for (int j = 1; j < ESCAPED_NUL.length; j++) {
      if (body.getByte(at + j) != ESCAPED_NUL[j]) {
        return false;
      }
    }
    return true;
  }

  /** A JSON escape of U+D800 to U+DFFF (backslash, u, D, 8 to F, two more hex digits), either case. */
  private static boolean escapedSurrogateAt(Buffer body, int at) {
    byte d = body.getByte(at + 2);
    byte second = body.getByte(at + 3);
    return (d == 'd' || d == 'D') && ((second >= '8' && second <= '9') || (second >= 'a' && second <= 'f')
        || (second >= 'A' && second <= 'F'));
  }

  /** The first bad character of a JSON value and where it is ({@code " at a.b[0]"}). */
  private record Found(int bad, String at) {}

  private static Found find(Object value, String path) {
    if (value instanceof String s) {
      int bad = badChar(s);
      return bad < 0 ? null : new Found(bad, path.isEmpty() ? "" : " at " + path);
    }
    if (value instanceof JsonObject json) {
      return find(json.getMap(), path);
    }
    if (value instanceof JsonArray array) {
      return find(array.getList(), path);
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        int bad = badChar(key);
        if (bad >= 0) {
          return new Found(bad, path.isEmpty() ? ", in a key" : ", in a key at " + path);
        }
        Found found = find(e.getValue(), path.isEmpty() ? key : path + "." + key);
        if (found != null) {
          return found;
        }
      }
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Found found = find(list.get(i), path + "[" + i + "]");
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
