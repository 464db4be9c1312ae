package dev.engram.http;

import dev.engram.kernel.ApiException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * Reading request bodies and parameters at the edge: a body that cannot be read is 400, a wrong field is 422, with the
 * reason (the rule is on {@link dev.engram.kernel.ErrorKind}).
 */
public final class Bodies {
  private static final Pattern SPACES_AROUND = Pattern.compile("^[ \t]+|[ \t]+$");

  private Bodies() {}

  /** The JSON object body; an empty body is an empty object when {@code emptyAllowed}. */
  public static JsonObject object(RoutingContext ctx, boolean emptyAllowed) {
    var body = ctx.body();
    // length() is -1 when the request carried no body buffer at all (e.g. Content-Length: 0)
    if (body == null || body.length() <= 0) {
      if (emptyAllowed) {
        return new JsonObject();
      }
      throw ApiException.badRequest("A JSON body is required");
    }
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(body.buffer());
    } catch (DecodeException e) {
      String reason = e.getMessage().replace("Failed to decode:", "").lines().findFirst().orElse("").strip();
      throw ApiException.badRequest("Malformed JSON body: " + reason);
    }
    if (!(parsed instanceof JsonObject json)) {
      throw ApiException.badRequest("The body must be a JSON object");
    }
    return json;
  }

  public static String requiredString(JsonObject json, String field) {
    String value = optionalString(json, field);
    if (value == null || value.isBlank()) {
      throw invalid(field + " is required and must be a non-empty string");
    }
    return value;
  }

  public static String optionalString(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw invalid(field + " must be a string");
    }
    return (String) value;
  }

  /** {@code value} (may be null) when it has at most {@code max} characters; a longer one is a wrong field. */
  public static String bounded(String value, String field, int max) {
    if (value != null && value.length() > max) {
      throw invalid(field + " must be at most " + max + " characters, got " + value.length());
    }
    return value;
  }

  public static JsonObject optionalObject(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof JsonObject)) {
      throw invalid(field + " must be a JSON object");
    }
    return (JsonObject) value;
  }

  /** A list of strings, or null when the field is absent or null; any other value is a wrong field. */
  public static java.util.List<String> optionalStrings(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof io.vertx.core.json.JsonArray array)) {
      throw invalid(field + " must be a list of strings");
    }
    java.util.List<String> out = new java.util.ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String s)) {
        throw invalid(field + " must be a list of strings");
      }
      out.add(s);
    }
    return out;
  }

  /** A whole number in [min, max], or null when the field is absent or null; any other value is a wrong field. */
  public static Integer optionalInteger(JsonObject json, String field, int min, int max) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
        || ((Number) value).longValue() > max) {
      throw invalid(field + " must be a whole number between " + min + " and " + max);
    }
    return ((Number) value).intValue();
  }

  public static boolean optionalBoolean(JsonObject json, String field, boolean fallback) {
    Object value = json.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean b)) {
      throw invalid(field + " must be true or false");
    }
    return b;
  }

  public static String requiredParam(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isBlank()) {
      throw invalid("query parameter " + name + " is required");
    }
    return value;
  }

  public static int intParam(RoutingContext ctx, String name, Integer fallback, int min, int max) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isBlank()) {
      if (fallback == null) {
        throw invalid("query parameter " + name + " is required");
      }
      return fallback;
    }
    try {
      // spaces around the number are forgiven; String.trim() would also drop control characters ("%01" + "5")
      int n = Integer.parseInt(SPACES_AROUND.matcher(value).replaceAll(""));
      if (n < min || n > max) {
        throw invalid("query parameter " + name + " must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw invalid("query parameter " + name + " must be a whole number, got '" + value + "'");
    }
  }

  /** A {@code true}/{@code false} query parameter (any case; blank or absent: {@code fallback}); else 422. */
  public static boolean boolParam(RoutingContext ctx, String name, boolean fallback) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid("query parameter " + name + " must be true or false, got '" + value + "'");
    };
  }

  public static ApiException invalid(String detail) {
    return ApiException.unprocessable(detail);
  }
}
