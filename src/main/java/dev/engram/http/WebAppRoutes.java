package dev.engram.http;

import io.vertx.core.http.HttpServerResponse;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web app: its page at {@code /} and its assets (ES modules, CSS) under {@code /app/}, read from the jar's
 * {@code webapp/} folder. Both are public (the page has to load before anyone signs in); everything the app then calls
 * is an authenticated API route. No asset is cached without asking again ({@code no-cache}), so a new server version
 * is never mixed with an old page's modules. The page may load scripts, styles and connections only from this origin.
 */
public final class WebAppRoutes {
  static final String PAGE = "GET /";
  static final String ASSETS = "GET /app/*";
  private static final String ROOT = "webapp";
  /** 'self' covers ws: and wss: to this host as well (CSP level 3). */
  private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private WebAppRoutes() {}

  static void mount(RouteTable router) {
    StaticHandler assets = StaticHandler.create(ROOT).setCachingEnabled(false).setDirectoryListing(false)
        .setIncludeHidden(false).setDefaultContentEncoding("UTF-8");
    router.get("/").handler(WebAppRoutes::page);
    router.get("/app/*").handler(WebAppRoutes::secured).handler(assets);
  }

  private static void page(RoutingContext ctx) {
    headers(ctx.response()).putHeader("content-type", "text/html; charset=utf-8");
    ctx.response().sendFile(ROOT + "/index.html").onFailure(ctx::fail);
  }

  private static void secured(RoutingContext ctx) {
    headers(ctx.response());
    ctx.next();
  }

  private static HttpServerResponse headers(HttpServerResponse response) {
    return response.putHeader("Content-Security-Policy", POLICY).putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer").putHeader("Cache-Control", "no-cache");
  }
}
