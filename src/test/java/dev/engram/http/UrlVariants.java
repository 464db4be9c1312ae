package dev.engram.http;

import static dev.engram.http.FuzzTargets.CHARS;
import static dev.engram.http.FuzzTargets.LONG_ID;
import static dev.engram.http.FuzzTargets.LONG_URL_ID;
import static dev.engram.http.Variant.Kind.*;

import dev.engram.http.Variant.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * The URL batteries of a route: each query parameter and each id in the path made wrong (characters that are not text,
 * length, malformed escapes, wrong types, wrong ids), the rest of the request valid.
 */
final class UrlVariants {
  private static final List<String> INT_WRONG = List.of("abc", "1.5", "-1", "99999999999999999999", "1e3");

  private final FuzzTargets targets;

  UrlVariants(FuzzTargets targets) {
    this.targets = targets;
  }

  /** Every parameter of every query example made wrong in the ways of {@code kinds}. */
  List<Variant> query(FuzzRoute route, Kind... kinds) {
    List<Kind> wanted = List.of(kinds);
    List<Variant> out = new ArrayList<>();
    for (String query : route.queries) {
      String[] pairs = query.split("&");
      for (int i = 0; i < pairs.length; i++) {
        String name = pairs[i].substring(0, pairs[i].indexOf('='));
        String example = pairs[i].substring(name.length() + 1);
        for (String[] v : values(example, targets.owner.resolve(example))) {
          Kind kind = Kind.valueOf(v[0]);
          if (wanted.contains(kind)) {
            StringBuilder q = new StringBuilder();
            for (int j = 0; j < pairs.length; j++) {
              q.append(j == 0 ? "" : "&").append(j == i ? name + "=" + v[1] : targets.owner.resolve(pairs[j]));
            }
            out.add(variant(route, kind, "?" + name, v[2], targets.path(route) + "?" + q));
          }
        }
      }
    }
    // a parameter the route does not read is still checked at the edge
    String others = targets.path(route) + "?" + (route.queries.isEmpty() ? "" : targets.query(route) + "&");
    if (wanted.contains(ESCAPE)) {
      out.add(variant(route, ESCAPE, "?name", "%zz in a name", others + "a%zz=1"));
    }
    if (wanted.contains(NUL)) {
      out.add(variant(route, NUL, "?name", "%00 in a name", others + "a%00b=1"));
    }
    return FuzzTargets.marked(route, out);
  }

  /** Every id in the path made wrong in the ways of {@code kinds}. */
  List<Variant> path(FuzzRoute route, Kind... kinds) {
    List<Kind> wanted = List.of(kinds);
    List<Variant> out = new ArrayList<>();
    String query = route.queries.isEmpty() ? "" : "?" + targets.query(route);
    for (String param : FuzzTargets.pathParams(route)) {
      String kindName = FuzzTargets.placeholder(param);
      String id = targets.owner.id(kindName);
      List<String[]> values = new ArrayList<>();
      int cut = Math.min(18, id.length() / 2); // inside a UUID's second group; in the middle of a short name
      for (FuzzTargets.Char c : CHARS) {
        values.add(new String[] {c.kind().name(), id.substring(0, cut) + c.urlEscape() + id.substring(cut),
            c.urlEscape()});
      }
      values.add(new String[] {LONG.name(), "x".repeat(LONG_ID), LONG_ID + " chars"});
      values.add(new String[] {LONG_URL.name(), "x".repeat(LONG_URL_ID), LONG_URL_ID + " chars"});
      values.add(new String[] {ESCAPE.name(), "%", "%"});
      values.add(new String[] {ESCAPE.name(), "%zz", "%zz"});
      values.add(new String[] {ESCAPE.name(), id + "%e", "trailing %e"});
      values.addAll(targets.idVariants(kindName));
      for (String[] v : values) {
        Kind kind = Kind.valueOf(v[0]);
        if (wanted.contains(kind)) {
          out.add(variant(route, kind, ":" + param, v[2], targets.path(route, param, v[1]) + query));
        }
      }
    }
    return FuzzTargets.marked(route, out);
  }

  /** {kind, raw value, label} for a query parameter whose example is {@code example}. */
  private List<String[]> values(String example, String resolved) {
    List<String[]> values = new ArrayList<>();
    int mid = resolved.length() / 2;
    for (FuzzTargets.Char c : CHARS) {
      values.add(new String[] {c.kind().name(), resolved.substring(0, mid) + c.urlEscape() + resolved.substring(mid),
          c.urlEscape()});
    }
    values.add(new String[] {LONG.name(), "x".repeat(LONG_ID), LONG_ID + " chars"});
    values.add(new String[] {LONG_URL.name(), "x".repeat(LONG_URL_ID), LONG_URL_ID + " chars"});
    values.add(new String[] {ESCAPE.name(), resolved + "%zz", "%zz"});
    values.add(new String[] {ESCAPE.name(), resolved + "%", "trailing %"});
    if (example.matches("-?\\d+")) {
      INT_WRONG.forEach(v -> values.add(new String[] {WRONG_TYPE.name(), v, v}));
    }
    if (FuzzTargets.isId(example)) {
      values.addAll(targets.idVariants(example.substring(1)));
    }
    return values;
  }

  /** The valid body goes along: only the URL is wrong. Escapes and over-long URLs go over a socket. */
  private Variant variant(FuzzRoute route, Kind kind, String place, String label, String target) {
    return new Variant(kind, place, label, route.method, target, targets.body(route), targets.contentType(route),
        kind == LONG_URL || kind == ESCAPE);
  }
}
