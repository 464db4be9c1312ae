package dev.engram.http;

import static dev.engram.http.Variant.Kind.*;

import dev.engram.http.Variant.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The valid request of a route for one user (the owner: its path with the owner's ids, its first query and body), and
 * what the batteries share: the characters that are not text, and the ids that are wrong. Every variant is this
 * request made wrong in exactly one place, so that a variant the server took would have done something.
 */
final class FuzzTargets {
  static final String JSON = "application/json";
  /** An over-long id that still fits the request line (8 KiB), so that the route itself must refuse it. */
  static final int LONG_ID = 4_000;
  /** An id in a URL over the request line's limit: the HTTP decoder answers 414. */
  static final int LONG_URL_ID = 100_000;

  /** A character that is not text, as a JSON escape and as a URL escape of its UTF-8 bytes. */
  record Char(Kind kind, String jsonEscape, String urlEscape) {}

  /** NUL, other C0 controls, DEL, and lone surrogates (their CESU-8 bytes in a URL, which are not UTF-8). */
  static final List<Char> CHARS = List.of(new Char(NUL, "\\u0000", "%00"), new Char(CONTROL, "\\u0001", "%01"),
      new Char(CONTROL, "\\u001f", "%1F"), new Char(CONTROL, "\\u007f", "%7F"),
      new Char(SURROGATE, "\\ud800", "%ED%A0%80"), new Char(SURROGATE, "\\udfff", "%ED%BF%BF"));

  final FuzzFixture owner;
  final FuzzFixture foreign;

  FuzzTargets(FuzzFixture owner, FuzzFixture foreign) {
    this.owner = owner;
    this.foreign = foreign;
  }

  /** The route's path with the owner's ids, or with {@code value} (raw, already escaped) for {@code :param}. */
  String path(FuzzRoute route, String param, String value) {
    StringBuilder out = new StringBuilder();
    for (String segment : route.template.split("/", -1)) {
      if (!out.isEmpty() || !segment.isEmpty()) {
        out.append('/');
      }
      if (segment.startsWith(":")) {
        out.append(segment.substring(1).equals(param) ? value : owner.id(placeholder(segment.substring(1))));
      } else {
        out.append(segment);
      }
    }
    return out.isEmpty() ? "/" : out.toString(); // the root route "/" splits into empty segments only
  }

  String path(FuzzRoute route) {
    return path(route, null, null);
  }

  /** The first query example with the owner's ids, or "" when the route reads none. */
  String query(FuzzRoute route) {
    return route.queries.isEmpty() ? "" : owner.resolve(route.queries.get(0));
  }

  /** The valid target: the path with the first query example. */
  String target(FuzzRoute route) {
    return path(route) + (route.queries.isEmpty() ? "" : "?" + query(route));
  }

  /** The first valid body, with the owner's ids (the upload's: one small file); null when the route reads none. */
  byte[] body(FuzzRoute route) {
    if (route.multipart) {
      return UploadVariants.valid("file", "notes.txt");
    }
    return route.bodies.isEmpty() ? null : bytes(owner.resolve(route.bodies.get(0).json()));
  }

  String contentType(FuzzRoute route) {
    return route.multipart ? UploadVariants.contentType() : route.bodies.isEmpty() ? null : JSON;
  }

  /** The object a path parameter names: {@code agent_id} names an agent. */
  static String placeholder(String param) {
    return param.replace("_id", "");
  }

  static List<String> pathParams(FuzzRoute route) {
    return Arrays.stream(route.template.split("/")).filter(s -> s.startsWith(":")).map(s -> s.substring(1)).toList();
  }

  /** {@code $agent} and the like: a placeholder of an object's id. */
  static boolean isId(String example) {
    return example.startsWith("$") && FuzzFixture.ID_KINDS.contains(example.substring(1));
  }

  /** {kind, value, label}: ids that are not canonical UUIDs, name nothing, or name someone else's object. */
  List<String[]> idVariants(String kindName) {
    String id = owner.id(kindName);
    String other = owner.id(kindName.equals("agent") ? "source" : "agent");
    return List.of(
        new String[] {MALFORMED_ID.name(), "not-a-uuid", "not-a-uuid"},
        new String[] {MALFORMED_ID.name(), "1-1-1-1-1", "1-1-1-1-1"},
        new String[] {MALFORMED_ID.name(), id.toUpperCase(Locale.ROOT), "upper case"},
        new String[] {MALFORMED_ID.name(), id.substring(1), "35 characters"},
        // a Letta prefix of the wrong kind (the right kind is accepted on /api and /v1: LettaTransportTest)
        new String[] {MALFORMED_ID.name(), (kindName.equals("agent") ? "block-" : "agent-") + id, "prefixed"},
        new String[] {UNKNOWN_ID.name(), UUID.randomUUID().toString(), "unknown"},
        new String[] {FOREIGN_ID.name(), foreign.id(kindName), "another user's " + kindName},
        new String[] {OTHER_KIND_ID.name(), other, "an id of another kind"});
  }

  /** Variants sent with the route's first example body carry whether that body would reach the model. */
  static List<Variant> marked(FuzzRoute route, List<Variant> variants) {
    boolean reaches = !route.bodies.isEmpty() && route.bodies.get(0).reachesModel();
    return variants.stream().map(v -> v.reachingModel(reaches)).toList();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
