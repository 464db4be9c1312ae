package dev.engram.http;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One route's entry in the fuzz table ({@link FuzzRoutes}): who calls it, valid examples of the body and the query it
 * reads (with {@code $placeholders} for the caller's real ids), and the variants it legitimately accepts, each with its
 * reason. The battery ({@link RouteFuzzTest}) makes every example wrong in one place at a time.
 */
final class FuzzRoute {
  /**
   * Who sends the battery: the owner's API key, or the admin password for the /admin routes and /configure (the only
   * caller it may change settings for). A public route gets the owner's key as well.
   */
  enum Caller { USER, ADMIN, PUBLIC }

  /** A valid body, and whether a request with it would reach the model (its accepted variants are then not sent). */
  record Example(String json, boolean reachesModel) {}

  /**
   * A variant the route takes and stores or answers 2xx, on purpose. {@code where} is a body field path
   * ({@code config.name}, {@code metadata.*}), a query parameter ({@code ?user_id}) or {@code body} for the whole body.
   */
  record Accepted(String where, Set<Variant.Kind> kinds, Set<String> labels, String reason) {
    boolean covers(Variant v) {
      if (!kinds.contains(v.kind()) || !(labels.isEmpty() || labels.contains(v.label()))) {
        return false;
      }
      return where.endsWith("*") ? v.place().startsWith(where.substring(0, where.length() - 1))
          : where.equals(v.place());
    }
  }

  final String method;
  final String template;
  Caller caller = Caller.USER;
  final List<Example> bodies = new ArrayList<>();
  final List<String> queries = new ArrayList<>();
  /** Why the route reads no body (null when it reads one). */
  String noBody;
  boolean multipart;
  boolean webSocket;
  final List<Accepted> accepted = new ArrayList<>();

  private FuzzRoute(String method, String template) {
    this.method = method;
    this.template = template;
  }

  /** {@code "POST /api/agents"}. */
  static FuzzRoute route(String methodAndTemplate) {
    String[] parts = methodAndTemplate.split(" ", 2);
    return new FuzzRoute(parts[0], parts[1]);
  }

  String key() {
    return method + " " + template;
  }

  FuzzRoute as(Caller who) {
    this.caller = who;
    return this;
  }

  FuzzRoute body(String json) {
    bodies.add(new Example(json, false));
    return this;
  }

  /** A body that would reach the model if it were sent as it is (it never is). */
  FuzzRoute modelBody(String json) {
    bodies.add(new Example(json, true));
    return this;
  }

  FuzzRoute query(String query) {
    queries.add(query);
    return this;
  }

  FuzzRoute noBody(String why) {
    this.noBody = why;
    return this;
  }

  FuzzRoute multipart() {
    this.multipart = true;
    return this;
  }

  FuzzRoute webSocket() {
    this.webSocket = true;
    return this;
  }

  /** Variants of these kinds at {@code where} are taken on purpose, for {@code reason}. */
  FuzzRoute accepts(String where, String reason, Variant.Kind first, Variant.Kind... rest) {
    accepted.add(new Accepted(where, EnumSet.of(first, rest), Set.of(), reason));
    return this;
  }

  /** Only the variants of {@code kind} at {@code where} with these labels (e.g. the values "42", "true") are taken. */
  FuzzRoute acceptsOnly(String where, String reason, Variant.Kind kind, String... labels) {
    accepted.add(new Accepted(where, EnumSet.of(kind), Set.of(labels), reason));
    return this;
  }

  /** The accepted case covering {@code v}, or null when it must be refused. */
  Accepted acceptance(Variant v) {
    return accepted.stream().filter(a -> a.covers(v)).findFirst().orElse(null);
  }

  @Override
  public String toString() {
    return key();
  }
}
