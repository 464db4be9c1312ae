package dev.engram.http;

import static dev.engram.http.FuzzTargets.CHARS;
import static dev.engram.http.FuzzTargets.JSON;
import static dev.engram.http.FuzzTargets.bytes;
import static dev.engram.http.Variant.Kind.*;

import dev.engram.http.Variant.Kind;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The body batteries of a route: the whole body malformed, and each field of each example (nested ones included)
 * given a wrong type, a character that is not text, an over-long value or a wrong id.
 */
final class BodyVariants {
  /** Over-long text in a body: well under MAX_BODY_BYTES, far over any field's limit. */
  static final int LONG_TEXT = 100_000;

  private static final String MARKER = "__fuzz_marker__";
  private static final List<String> STRING_WRONG = List.of("42", "-1", "1.5", "true", "{\"a\": 1}", "[\"x\"]");
  private static final List<String> INT_WRONG = List.of("\"10\"", "1.5", "-1", "0", "1e30", "1e400",
      "18446744073709551621", "true", "{}", "[]");
  private static final List<String> NUMBER_WRONG = List.of("\"0.1\"", "-1", "1e30", "1e400", "true", "{}", "[]");
  private static final List<String> BOOLEAN_WRONG = List.of("\"true\"", "1", "0", "{}", "[]");
  private static final List<String> OBJECT_WRONG = List.of("\"x\"", "1", "[]", "true");
  private static final List<String> ARRAY_WRONG = List.of("{}", "1", "true", "[]");

  private final FuzzTargets targets;

  BodyVariants(FuzzTargets targets) {
    this.targets = targets;
  }

  /** Bodies that are not a JSON object: cut, single-quoted, trailed by garbage, other JSON values, bad bytes. */
  List<Variant> malformed(FuzzRoute route) {
    List<Variant> out = new ArrayList<>();
    String example = targets.owner.resolve(route.bodies.get(0).json()).strip();
    String[][] bodies = {
        {"truncated", example.substring(0, example.length() - 1)},
        {"cut in half", example.substring(0, example.length() / 2)},
        {"single quotes", example.replace('"', '\'')},
        {"trailing garbage", example + " x"},
        {"two objects", example + example},
        {"unquoted key", "{message: 1}"},
        {"array", "[" + example + "]"},
        {"string", "\"hello\""},
        {"number", "42"},
        {"null", "null"},
        {"true", "true"},
        {"empty", ""},
        {"nested 5,000 deep", "{\"a\": ".repeat(5_000) + "1" + "}".repeat(5_000)}};
    for (String[] b : bodies) {
      out.add(whole(route, b[0], bytes(b[1])));
    }
    byte[] raw = bytes(example);
    byte[] zero = new byte[raw.length + 1];
    System.arraycopy(raw, 0, zero, 0, raw.length / 2);
    System.arraycopy(raw, raw.length / 2, zero, raw.length / 2 + 1, raw.length - raw.length / 2);
    out.add(whole(route, "raw zero byte", zero));
    ByteArrayOutputStream invalid = new ByteArrayOutputStream();
    invalid.writeBytes(bytes("{\"x\": \""));
    invalid.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
    invalid.writeBytes(bytes("\"}"));
    out.add(whole(route, "invalid UTF-8", invalid.toByteArray()));
    return FuzzTargets.marked(route, out);
  }

  /** A JSON body one byte over {@code maxBodyBytes}, with the valid target. */
  Variant overLimit(FuzzRoute route, long maxBodyBytes) {
    String body = "{\"x\":\"" + "x".repeat((int) maxBodyBytes + 1 - 8) + "\"}";
    return new Variant(OVER_LIMIT, "body", (maxBodyBytes + 1) + " bytes", route.method, targets.target(route),
        bytes(body), JSON, false);
  }

  /** For every field: a value of each wrong JSON type, and numbers out of any sane range. */
  List<Variant> wrongTypes(FuzzRoute route) {
    List<Variant> out = new ArrayList<>();
    forEachField(route, (example, field) -> {
      for (String literal : wrongValues(field.value())) {
        out.add(field(route, example, field, WRONG_TYPE, literal, literal));
      }
    });
    return out;
  }

  /** NUL, other control characters and lone surrogates inside every string field, and NUL in a key. */
  List<Variant> characters(FuzzRoute route) {
    List<Variant> out = new ArrayList<>();
    forEachField(route, (example, field) -> {
      if (field.value() instanceof String s) {
        int mid = s.length() / 2;
        for (FuzzTargets.Char c : CHARS) {
          String literal = "\"" + escape(s.substring(0, mid)) + c.jsonEscape() + escape(s.substring(mid)) + "\"";
          out.add(field(route, example, field, c.kind(), literal, c.jsonEscape()));
        }
      }
    });
    for (FuzzRoute.Example example : route.bodies) {
      String json = targets.owner.resolve(example.json()).strip();
      out.add(new Variant(NUL, "key", "NUL in a key", route.method, targets.target(route),
          bytes("{\"k\\u0000\": 1, " + json.substring(1)), JSON, false, example.reachesModel()));
    }
    return out;
  }

  /** A 100,000-character value in every string field. */
  List<Variant> longStrings(FuzzRoute route) {
    List<Variant> out = new ArrayList<>();
    forEachField(route, (example, field) -> {
      if (field.value() instanceof String) {
        out.add(field(route, example, field, LONG, "\"" + "x".repeat(LONG_TEXT) + "\"", LONG_TEXT + " chars"));
      }
    });
    return out;
  }

  /** Fields whose example is an object's id: malformed, unknown, another user's, another kind's. */
  List<Variant> ids(FuzzRoute route) {
    List<Variant> out = new ArrayList<>();
    forEachField(route, (example, field) -> {
      if (field.value() instanceof String s && FuzzTargets.isId(s)) {
        for (String[] id : targets.idVariants(s.substring(1))) {
          out.add(field(route, example, field, Kind.valueOf(id[0]), "\"" + id[1] + "\"", id[2]));
        }
      }
    });
    return out;
  }

  private Variant whole(FuzzRoute route, String label, byte[] body) {
    return new Variant(MALFORMED_JSON, "body", label, route.method, targets.target(route), body, JSON, false);
  }

  /** The example with {@code field} replaced by the JSON text {@code literal}. */
  private Variant field(FuzzRoute route, Parsed example, Field field, Kind kind, String literal, String label) {
    JsonObject copy = example.json().copy();
    field.set(copy, MARKER);
    String text = targets.owner.resolve(copy.encode()).replace("\"" + MARKER + "\"", literal);
    return new Variant(kind, field.place(), label, route.method, targets.target(route), bytes(text), JSON, false,
        example.reachesModel());
  }

  private static List<String> wrongValues(Object value) {
    if (value instanceof String) {
      return STRING_WRONG;
    }
    if (value instanceof Boolean) {
      return BOOLEAN_WRONG;
    }
    if (value instanceof Double || value instanceof Float) {
      return NUMBER_WRONG;
    }
    if (value instanceof Number) {
      return INT_WRONG;
    }
    if (value instanceof JsonObject) {
      return OBJECT_WRONG;
    }
    if (value instanceof JsonArray) {
      return ARRAY_WRONG;
    }
    throw new IllegalArgumentException("an example holds " + value);
  }

  /** A field of an example: its path ({@code config.name}, {@code messages[0].content}) and value. */
  private record Field(String place, List<Object> steps, Object value) {
    void set(JsonObject root, Object to) {
      Object node = root;
      for (int i = 0; i < steps.size() - 1; i++) {
        Object key = steps.get(i);
        node = node instanceof JsonObject o ? o.getValue((String) key) : ((JsonArray) node).getValue((Integer) key);
      }
      Object last = steps.get(steps.size() - 1);
      if (node instanceof JsonObject o) {
        o.put((String) last, to);
      } else {
        ((JsonArray) node).set((Integer) last, to);
      }
    }
  }

  /** An example body parsed, its placeholders still unresolved. */
  private record Parsed(JsonObject json, boolean reachesModel) {}

  /** Calls {@code action} with (example, field) for every field of every example, nested ones included. */
  private static void forEachField(FuzzRoute route, BiConsumer<Parsed, Field> action) {
    for (FuzzRoute.Example example : route.bodies) {
      Parsed parsed = new Parsed(new JsonObject(example.json()), example.reachesModel());
      walk(parsed.json(), "", new ArrayList<>(), field -> action.accept(parsed, field));
    }
  }

  private static void walk(Object node, String place, List<Object> steps, Consumer<Field> out) {
    if (node instanceof JsonObject o) {
      for (String name : o.fieldNames()) {
        List<Object> next = new ArrayList<>(steps);
        next.add(name);
        String at = place.isEmpty() ? name : place + "." + name;
        out.accept(new Field(at, next, o.getValue(name)));
        walk(o.getValue(name), at, next, out);
      }
    } else if (node instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        List<Object> next = new ArrayList<>(steps);
        next.add(i);
        String at = place + "[" + i + "]";
        out.accept(new Field(at, next, a.getValue(i)));
        walk(a.getValue(i), at, next, out);
      }
    }
  }

  private static String escape(String s) {
    String quoted = Json.encode(s);
    return quoted.substring(1, quoted.length() - 1);
  }
}
