package dev.engram.http;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The route template a request was served by ({@code /api/agents/:agent_id}), for logs and metrics: never the raw
 * path, whose ids would make every request a label of its own. A request answered by its route's handler names that
 * route (a route of a prefix's router notes it: {@link RouteTable#MATCHED_TEMPLATE}); one answered by the failure
 * handler (which is not on a route) is matched against the table, and one that matches no route is
 * {@link #UNMATCHED}.
 */
final class RouteTemplates {
  static final String UNMATCHED = "unmatched";

  private record Template(String path, Pattern pattern) {}

  private final RouteTable router;
  private volatile List<Template> table;

  RouteTemplates(RouteTable router) {
    this.router = router;
  }

  String of(RoutingContext ctx) {
    String matched = ctx.get(RouteTable.MATCHED_TEMPLATE);
    if (matched != null) {
      return matched;
    }
    Route route = ctx.currentRoute();
    if (route != null && route.getPath() != null) {
      return route.getPath();
    }
    String path;
    try {
      path = ctx.normalizedPath();
    } catch (IllegalArgumentException badEscape) {
      path = ctx.request().path(); // answered 400 already; still logged under the template it aimed at
    }
    for (Template t : table()) {
      if (t.pattern().matcher(path).matches()) {
        return t.path();
      }
    }
    return UNMATCHED;
  }

  /** Read from the router once it is complete (on the first failed request, when every route is mounted). */
  private List<Template> table() {
    List<Template> t = table;
    if (t == null) {
      Set<String> paths = new LinkedHashSet<>();
      for (Route r : router.routes()) {
        if (r.getPath() != null) {
          paths.add(r.getPath());
        }
      }
      List<Template> built = new ArrayList<>();
      // exact segments before parameters: /archival-memory/search is not /archival-memory/:memory_id
      paths.stream().sorted((a, b) -> Long.compare(a.chars().filter(c -> c == ':').count(),
          b.chars().filter(c -> c == ':').count()))
          .forEach(p -> built.add(new Template(p, PathTemplate.compile(p))));
      t = table = List.copyOf(built);
    }
    return t;
  }
}
