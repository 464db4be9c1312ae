package dev.engram.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.util.Set;
import java.util.TreeSet;

/** The methods a path accepts, read from the route table itself: the {@code Allow} header of a 405. */
final class AllowedMethods {
  private AllowedMethods() {}

  /** The accepted methods of {@code path}, comma-separated and sorted; empty if no route with methods matches. */
  static String of(RouteTable router, String path) {
    Set<String> methods = new TreeSet<>();
    for (Route route : router.routes()) {
      Set<HttpMethod> accepted = route.methods();
      if (route.getPath() != null && accepted != null && !accepted.isEmpty()) {
        String template = route.isExactPath() ? route.getPath() : route.getPath() + "*";
        if (PathTemplate.compile(template).matcher(path).matches()) {
          accepted.forEach(m -> methods.add(m.name()));
        }
      }
    }
    return String.join(", ", methods);
  }
}
