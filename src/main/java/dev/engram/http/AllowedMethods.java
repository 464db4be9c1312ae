package dev.engram.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.Set;
import java.util.TreeSet;

/**
 * The methods a path accepts, read from the route table itself: the {@code Allow} header of a 405. Where templates
 * overlap, the one with more literal segments wins: {@code /v1/agents/count} is not an agent id, so it accepts what
 * {@code /v1/agents/count} accepts, not what {@code /v1/agents/:agent_id} does (see {@link #literal}).
 */
public final class AllowedMethods {
  private AllowedMethods() {}

  /** The accepted methods of {@code path}, comma-separated and sorted; empty if no route with methods matches. */
  static String of(Router router, String path) {
    Set<String> methods = new TreeSet<>();
    int best = -1;
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> accepted = route.methods();
      if (route.getPath() != null && accepted != null && !accepted.isEmpty()) {
        String template = route.isExactPath() ? route.getPath() : route.getPath() + "*";
        if (PathTemplate.compile(template).matcher(path).matches()) {
          int literals = literalSegments(route.getPath());
          if (literals > best) {
            methods.clear();
            best = literals;
          }
          if (literals == best) {
            accepted.forEach(m -> methods.add(m.name()));
          }
        }
      }
    }
    return String.join(", ", methods);
  }

  private static int literalSegments(String template) {
    int n = 0;
    for (String segment : template.split("/")) {
      if (!segment.isEmpty() && !segment.startsWith(":") && !segment.equals("*")) {
        n++;
      }
    }
    return n;
  }

  /**
   * Makes a literal path shadow the parameter routes it overlaps for every method: a method it does not accept
   * answers 405 instead of reaching, say, {@code PATCH /v1/agents/:agent_id} with the id "count". Mount it after the
   * literal path's own routes and before the parameter routes.
   */
  public static void literal(Router router, String path) {
    router.route(path).handler(ctx -> ctx.fail(405));
  }
}
