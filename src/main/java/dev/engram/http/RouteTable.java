package dev.engram.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The server's route table, matched by prefix. Vert.x Web tries a request against each route in turn, and a route
 * with a parameter costs a regular expression; a Letta step ({@code POST /v1/agents/:agent_id/messages}) was tried
 * against every {@code /api} and Mem0 route before its own, 6 % of its CPU (JFR of {@code scripts/bench.sh steps
 * --api v1}). So the routes under {@link #PREFIXES} each live in a router of their own, in the order they were
 * added, and the {@link #gate} hands a request under a prefix to that router; every other route stays in the
 * {@link #main} router. No route outside a prefix can match a path under it (one that could, such as {@code /:id} or
 * {@code /*}, is refused when added), so every request is answered by the route a flat table would have chosen. A
 * request its prefix's router does not match goes on through the main router with what the miss found (a wrong
 * method still answers 405 with {@code Allow}).
 *
 * <p>Mount code adds routes here ({@link #get}, {@link #post}, ...) with their whole paths. {@link #routes} lists
 * them all, for the route templates, the {@code Allow} header and the tests that walk the table.
 */
public final class RouteTable {
  /** The path prefixes with a router of their own. */
  static final List<String> PREFIXES = List.of("/api/", "/v1/");
  /** Where the route template of a request answered in a prefix's router is kept (see {@link RouteTemplates}). */
  static final String MATCHED_TEMPLATE = "engram.route.template";

  private final Router main;
  private final Map<String, Router> byPrefix = new LinkedHashMap<>();

  RouteTable(Vertx vertx) {
    this.main = Router.router(vertx);
    for (String prefix : PREFIXES) {
      byPrefix.put(prefix, Router.router(vertx));
    }
  }

  /** The router requests enter by, which holds the handlers every request passes and the routes of no prefix. */
  Router main() {
    return main;
  }

  void handle(HttpServerRequest request) {
    main.handle(request);
  }

  /** From here on in the main router, a request under a prefix is matched against that prefix's routes only. */
  void gate() {
    main.route().handler(this::pass);
  }

  private void pass(RoutingContext ctx) {
    String path;
    try {
      path = ctx.normalizedPath();
    } catch (IllegalArgumentException badEscape) {
      ctx.next(); // the routes below answer it 400, as they did
      return;
    }
    Router prefix = prefixRouter(path);
    if (prefix != null) {
      prefix.handleContext(ctx);
    } else {
      ctx.next();
    }
  }

  public Route get(String path) {
    return add(path, Router::get);
  }

  public Route post(String path) {
    return add(path, Router::post);
  }

  public Route put(String path) {
    return add(path, Router::put);
  }

  public Route patch(String path) {
    return add(path, Router::patch);
  }

  public Route delete(String path) {
    return add(path, Router::delete);
  }

  /** Every route, those of the main router first, then each prefix's, each in the order they were added. */
  public List<Route> routes() {
    List<Route> all = new ArrayList<>(main.getRoutes());
    byPrefix.values().forEach(r -> all.addAll(r.getRoutes()));
    return all;
  }

  /** The router of the prefix {@code path} is under, or null. */
  private Router prefixRouter(String path) {
    for (Map.Entry<String, Router> e : byPrefix.entrySet()) {
      if (path.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return null;
  }

  /** The router a route of {@code path} goes into. */
  private Router routerOf(String path) {
    Router prefixed = prefixRouter(path);
    if (prefixed != null) {
      return prefixed;
    }
    for (String prefix : PREFIXES) {
      boolean wildcard = path.endsWith("*") && prefix.startsWith(path.substring(0, path.length() - 1));
      if (path.startsWith("/:") || wildcard) {
        // the gate would keep the prefix's requests from it, which a flat table would have let it answer
        throw new IllegalArgumentException("the route " + path + " of the main router could match paths under "
            + prefix + ", which only that prefix's routes are tried against");
      }
    }
    return main;
  }

  /**
   * The route of {@code path} made by {@code method} in its router. A route of a prefix's router notes its template
   * first: the request's own context (which the access log holds) names the gate as its current route, not the route
   * inside the prefix's router that answered it.
   */
  private Route add(String path, BiFunction<Router, String, Route> method) {
    Router router = routerOf(path);
    Route route = method.apply(router, path);
    if (router != main) {
      route.handler(ctx -> {
        ctx.put(MATCHED_TEMPLATE, path);
        ctx.next();
      });
    }
    return route;
  }
}
