package dev.engram.http.docs;

import dev.engram.http.RouteTable;
import io.vertx.core.buffer.Buffer;

import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /openapi.json} (the document) and {@code GET /docs}, Swagger UI over it. Swagger UI's files come from its
 * webjar inside our jar (no CDN); only the files the page loads are served, under {@code /docs/<file>}, a prefix no
 * API uses. Everything is read once per process and served from memory. The page keeps nothing in the browser's
 * storage: a token typed into its "Authorize" dialog lives in the page until it is closed.
 */
public final class DocsRoutes {
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String JS = "application/javascript; charset=utf-8";
  /** The Swagger UI files the page needs, and their content types. */
  private static final Map<String, String> SWAGGER_FILES = Map.of("swagger-ui.css", "text/css; charset=utf-8",
      "swagger-ui-bundle.js", JS, "favicon-32x32.png", "image/png", "favicon-16x16.png", "image/png");

  private record Asset(String contentType, Buffer bytes) {}

  /** What the routes serve, loaded at the first use in the process (every HTTP verticle shares it). */
  private static final class Loaded {
    static final Buffer DOCUMENT = Buffer.buffer(OpenApiDocument.load().encode());
    static final Buffer PAGE = Buffer.buffer(resource("docs/index.html"));
    static final Map<String, Asset> ASSETS = assets();

    private static Map<String, Asset> assets() {
      Map<String, Asset> out = new HashMap<>();
      String swagger = WEBJAR + swaggerVersion() + "/";
      SWAGGER_FILES.forEach((name, type) -> out.put(name, new Asset(type, Buffer.buffer(resource(swagger + name)))));
      out.put("engram-docs.js", new Asset(JS, Buffer.buffer(resource("docs/engram-docs.js"))));
      return Map.copyOf(out);
    }
  }

  public void mount(RouteTable router) {
    Buffer document = Loaded.DOCUMENT; // loaded now: a broken document fails the start, not a request
    router.get("/openapi.json").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end(document));
    router.get("/docs").handler(ctx -> ctx.response().putHeader("content-type", "text/html; charset=utf-8")
        .end(Loaded.PAGE));
    router.get("/docs/:file").handler(DocsRoutes::asset);
  }

  private static void asset(RoutingContext ctx) {
    Asset asset = Loaded.ASSETS.get(ctx.pathParam("file"));
    if (asset == null) {
      ctx.fail(404);
      return;
    }
    ctx.response().putHeader("content-type", asset.contentType()).putHeader("cache-control", "public, max-age=3600")
        .end(asset.bytes());
  }

  /** The webjar's version, from its Maven properties: the pom pins it, once. */
  private static String swaggerVersion() {
    Properties p = new Properties();
    try (InputStream in = stream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  private static byte[] resource(String name) {
    try (InputStream in = stream(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream stream(String name) {
    InputStream in = DocsRoutes.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("docs: no resource " + name);
    }
    return in;
  }
}
