package dev.engram.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** The routes reachable without credentials, as {@code "METHOD /path/template"}; every other route needs them. */
final class PublicRoutes {
  private record Entry(HttpMethod method, Pattern path) {}

  private final List<Entry> entries;

  private PublicRoutes(List<Entry> entries) {
    this.entries = entries;
  }

  static PublicRoutes of(String... routes) {
    return new PublicRoutes(Arrays.stream(routes).map(r -> {
      String[] parts = r.split(" ", 2);
      return new Entry(HttpMethod.valueOf(parts[0]), PathTemplate.compile(parts[1]));
    }).toList());
  }

  boolean contains(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    String path = ctx.normalizedPath();
    return entries.stream().anyMatch(e -> e.method().equals(method) && e.path().matcher(path).matches());
  }
}
