package dev.engram.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The route table's prefix routers, over real HTTP: each request is answered as by one flat table. */
class RouteTablePrefixTest {
  private Vertx vertx;
  private HttpServer http;
  /** What the request's own context (the one the access log holds) noted as its template when it ended. */
  private volatile String noted;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    RouteTable table = new RouteTable(vertx);
    table.main().route().handler(ctx -> {
      ctx.response().putHeader("x-seen", "global");
      ctx.addEndHandler(v -> noted = ctx.get(RouteTable.MATCHED_TEMPLATE));
      ctx.next();
    });
    table.gate();
    table.get("/api/things/:id").handler(ctx -> answer(ctx, "api thing " + ctx.pathParam("id")));
    table.get("/api/things/mine").handler(ctx -> answer(ctx, "never: the parameter route is first"));
    table.post("/v1/things").handler(ctx -> answer(ctx, "v1 created"));
    table.delete("/v1/things/:id").handler(ctx -> answer(ctx, "v1 deleted " + ctx.pathParam("id")));
    table.get("/things/:id").handler(ctx -> answer(ctx, "root thing " + ctx.pathParam("id")));
    table.main().errorHandler(404, ctx -> ctx.response().setStatusCode(404).end("no route"));
    table.main().errorHandler(405, ctx -> ctx.response().setStatusCode(405)
        .putHeader("Allow", AllowedMethods.of(table, ctx.normalizedPath())).end("wrong method"));
    http = vertx.createHttpServer().requestHandler(table::handle).listen(0).toCompletionStage()
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The body names what answered, and the template the request's own context holds for the access log. */
  private static void answer(RoutingContext ctx, String what) {
    String template = ctx.get(RouteTable.MATCHED_TEMPLATE);
    ctx.response().end(what + " @ " + (template == null ? ctx.currentRoute().getPath() : template));
  }

  @AfterEach
  void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  @DisplayName("each prefix's routes answer their paths in the order they were added, the others stay in main")
  void answersAsOneTable() throws Exception {
    assertEquals("200 api thing 7 @ /api/things/:id", send("GET", "/api/things/7"));
    assertEquals("200 api thing mine @ /api/things/:id", send("GET", "/api/things/mine"));
    assertEquals("200 v1 created @ /v1/things", send("POST", "/v1/things"));
    assertEquals("200 v1 deleted 9 @ /v1/things/:id", send("DELETE", "/v1/things/9"));
    for (int i = 0; i < 100 && !"/v1/things/:id".equals(noted); i++) {
      Thread.sleep(10); // the end handler may run just after the client has the answer
    }
    assertEquals("/v1/things/:id", noted);
    assertEquals("200 root thing 3 @ /things/:id", send("GET", "/things/3"));
  }

  @Test
  @DisplayName("a miss in a prefix's router goes on to the main router: 404, or 405 with the methods the path takes")
  void missesFallThrough() throws Exception {
    assertEquals("404 no route", send("GET", "/api/other"));
    assertEquals("404 no route", send("GET", "/v1"));
    HttpResponse<String> wrong = client.send(request("PUT", "/v1/things/9"), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, wrong.statusCode());
    assertEquals("DELETE", wrong.headers().firstValue("Allow").orElse(""));
    assertEquals("global", wrong.headers().firstValue("x-seen").orElse(""));
  }

  @Test
  @DisplayName("routes() lists the routes of every router")
  void listsEveryRoute() {
    RouteTable table = new RouteTable(vertx);
    table.get("/api/a").handler(RoutingContext::end);
    table.post("/v1/b").handler(RoutingContext::end);
    table.put("/c").handler(RoutingContext::end);
    Set<String> paths = table.routes().stream().map(Route::getPath).collect(Collectors.toSet());
    assertTrue(paths.containsAll(Set.of("/api/a", "/v1/b", "/c")), paths::toString);
  }

  @Test
  @DisplayName("a route outside the prefixes that could match a path under one is refused when it is added")
  void refusesRoutesThatCouldMatchUnderAPrefix() {
    RouteTable table = new RouteTable(vertx);
    for (String path : List.of("/:id", "/*", "/v*", "/:kind/things")) {
      assertThrows(IllegalArgumentException.class, () -> table.get(path), path);
    }
    table.get("/app/*").handler(RoutingContext::end);
    table.get("/things/:id").handler(RoutingContext::end);
  }

  private String send(String method, String path) throws Exception {
    HttpResponse<String> r = client.send(request(method, path), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private HttpRequest request(String method, String path) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + http.actualPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
  }
}
