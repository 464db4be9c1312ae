package dev.engram.http;

import dev.engram.kernel.ApiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Rules every request meets before a route sees it, so that no route can forget them: its URL decodes (every
 * {@code %} starts a two-hex-digit escape), and no text in it contains the NUL character U+0000, which PostgreSQL's
 * text and jsonb cannot hold. NUL is refused in the path, in query parameter names and values, in every string and
 * key of a JSON body, in multipart names ({@link UploadBody}) and in WebSocket frames ({@link AgentSocket}).
 */
public final class InputRules {
  private static final byte[] ESCAPED_NUL = "\\u0000".getBytes(StandardCharsets.US_ASCII);

  private InputRules() {}

  /** Route handler: the path and the query, then the JSON body if one was read. */
  public static void check(RoutingContext ctx) {
    checkUrl(ctx.request().path(), ctx.request().query());
    var body = ctx.body();
    if (body != null && body.buffer() != null && body.length() > 0 && mayHoldNul(body.buffer())) {
      Object json;
      try {
        json = Json.decodeValue(body.buffer());
      } catch (DecodeException e) {
        json = null; // not JSON: the route refuses it with its own message
      }
      requireNoNul(json, "the JSON body");
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

  /** Fails with 400 naming the place of the first NUL in a JSON value's strings and keys. */
  public static void requireNoNul(Object json, String where) {
    String at = findNul(json, "");
    if (at != null) {
      throw nulFound(where + at);
    }
  }

  public static ApiException nulFound(String where) {
    return ApiException.badRequest("Text may not contain the NUL character (U+0000): found in " + where);
  }

  public static boolean nul(String s) {
    return s != null && s.indexOf('\u0000') >= 0;
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
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** A cheap pre-check: a NUL in JSON is either a raw zero byte (invalid JSON) or the escape {@code \u0000}. */
  private static boolean mayHoldNul(Buffer body) {
    int n = body.length();
    for (int i = 0; i < n; i++) {
      byte b = body.getByte(i);
      if (b == 0) {
        return true;
      }
      if (b == '\\' && i + ESCAPED_NUL.length <= n && escapedNulAt(body, i)) {
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

  /** The path ({@code " at a.b[0]"}) of the first NUL in {@code value}, or null. */
  private static String findNul(Object value, String path) {
    if (value instanceof String s) {
      return nul(s) ? (path.isEmpty() ? "" : " at " + path) : null;
    }
    if (value instanceof JsonObject json) {
      return findNul(json.getMap(), path);
    }
    if (value instanceof JsonArray array) {
      return findNul(array.getList(), path);
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (nul(key)) {
          return path.isEmpty() ? ", in a key" : ", in a key at " + path;
        }
        String found = findNul(e.getValue(), path.isEmpty() ? key : path + "." + key);
        if (found != null) {
          return found;
        }
      }
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        String found = findNul(list.get(i), path + "[" + i + "]");
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
