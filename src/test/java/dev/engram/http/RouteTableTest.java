package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.config.ConfigLoader;
import dev.engram.config.EngramConfig;
import dev.engram.http.letta.LettaUnimplemented;
import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Walks the server's route table ({@link RouteTable#routes()}) and checks every route over HTTP: authentication is
 * the default (only the public list below answers without credentials, /admin only to the admin password), a
 * malformed percent-escape in any id is 400, and a wrong method is 405 with {@code Allow}.
 */
class RouteTableTest {
  /** The only routes reachable without credentials. The WebSocket authenticates its own handshake. */
  static final Set<String> PUBLIC = Set.of("GET /health", "GET /health/live", "GET /health/ready",
      "GET /api/models", "GET /api/agents/:agent_id/ws", "GET /v1/health", "GET /", "GET /app/",
      "GET /openapi.json", "GET /docs", "GET /docs/:file",
      // decides its own access: open on loopback (where this test calls from) by default, see MetricsAccessTest
      "GET /metrics");

  private static Vertx vertx;
  /** Path template -> the methods it accepts, from the same route table the server runs. */
  private static Map<String, Set<String>> table;

  private final TestServer server = TestServer.shared();
  private final Api api = server.api;

  @BeforeAll
  static void readTable() {
    vertx = Vertx.vertx();
    table = new LinkedHashMap<>();
    for (Route route : router(vertx).routes()) {
      if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()) {
        table.computeIfAbsent(route.getPath(), p -> new TreeSet<>())
            .addAll(route.methods().stream().map(HttpMethod::name).toList());
      }
    }
    assertTrue(table.size() > 30, () -> "the walk found too few routes to mean anything: " + table.keySet());
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  /** The settings a server has when nothing is configured (as TestServer's are, for the limits). */
  static EngramConfig defaults(Path home) {
    Path config = home.resolve("empty.yaml");
    try {
      Files.writeString(config, "# defaults\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ConfigLoader.load(Map.of(), Map.of("ENGRAM_CONFIG", config.toString()));
  }

  /** A router built exactly as the server builds its own, for reading its table and serving additions to it. */
  static RouteTable router(Vertx vertx) {
    Path home = TempHomes.create("engram-routes-");
    EngramConfig defaults = defaults(home);
    HttpSettings settings = new HttpSettings("localhost", 0, false, null, null, defaults.server().maxBodyBytes(),
        "admin-password", "a-secret-for-signing-tokens-in-this-test", 3600, 1, 1000, defaults.llm(),
        defaults.embedding(), 300, 1000, home, null, 1000, defaults.server().bodyReadTimeoutMs(), defaults.mcp(),
        defaults.tools(), defaults.server().metricsAccess(), false);
    return HttpVerticle.router(vertx, settings);
  }

  private static String concrete(String template, String id) {
    return Arrays.stream(template.split("/", -1)).map(s -> s.startsWith(":") ? id : s)
        .collect(Collectors.joining("/"));
  }

  @Test
  @DisplayName("every route answers 401 without credentials unless it is on the short public list")
  void everyRouteNeedsCredentials() {
    int checked = 0;
    for (var entry : table.entrySet()) {
      for (String method : entry.getValue()) {
        if (PUBLIC.contains(method + " " + entry.getKey())) {
          continue;
        }
        String path = concrete(entry.getKey(), UUID.randomUUID().toString());
        Api.Response r = RawHttp.send(api, method, path, method.equals("GET") || method.equals("DELETE") ? null : "{}",
            "content-type", "application/json");
        assertEquals(401, r.status(), () -> method + " " + path + " is reachable without credentials: " + r.body());
        checked++;
      }
    }
    assertTrue(checked > 30, "checked " + checked);
    // and the public ones really are public
    assertEquals(200, RawHttp.send(api, "GET", "/health", null).status());
    assertEquals(200, RawHttp.send(api, "GET", "/api/models", null).status());
  }

  @Test
  @DisplayName("the /admin routes answer 401 to a user's key and work with the admin password")
  void adminRoutesNeedTheAdminPassword() {
    String key = api.newUser().getString("api_key");
    int checked = 0;
    for (var entry : table.entrySet()) {
      if (entry.getKey().startsWith("/admin")) {
        for (String method : entry.getValue()) {
          assertError(api.keyed(method, entry.getKey(), key, null), 401, "admin");
          checked++;
        }
      }
    }
    assertEquals(9, checked);
    assertEquals(200, api.get("/admin/users", TestServer.ADMIN).status());
  }

  @Test
  @DisplayName("a route added to the table without any thought about authentication still needs credentials")
  void newRoutesAreAuthenticatedByDefault() throws Exception {
    RouteTable router = router(vertx);
    router.get("/a-new-root-route").handler(ctx -> ctx.end("open"));
    router.post("/api/a-new-api-route").handler(ctx -> ctx.end("open"));
    router.get("/admin/a-new-admin-route").handler(ctx -> ctx.end("open"));
    HttpServer http = vertx.createHttpServer().requestHandler(router::handle).listen(0).toCompletionStage()
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      Api own = new Api("http://localhost:" + http.actualPort());
      assertError(RawHttp.send(own, "GET", "/a-new-root-route", null), 401, "Not authenticated");
      assertError(RawHttp.send(own, "POST", "/api/a-new-api-route", "{}", "content-type", "application/json"), 401,
          "Not authenticated");
      assertError(own.get("/admin/a-new-admin-route", "sk-" + "0".repeat(48)), 401, "admin");
      assertEquals("open", own.get("/admin/a-new-admin-route", "admin-password").body());
      // an unknown path is not a way to probe which routes exist
      assertError(RawHttp.send(own, "GET", "/no-such-route", null), 401, "Not authenticated");
    } finally {
      http.close();
    }
  }

  @Test
  @DisplayName("a malformed percent-escape in any id answers 400 with a detail, never 500")
  void malformedEscapesInIds() {
    String key = api.newUser().getString("api_key");
    int checked = 0;
    for (var entry : table.entrySet()) {
      if (!entry.getKey().contains(":")) {
        continue;
      }
      for (String method : entry.getValue()) {
        for (String bad : new String[] {"%", "%zz", "a%2", "%%"}) {
          String path = concrete(entry.getKey(), bad);
          try (SocketHttp socket = new SocketHttp(server.port())) {
            socket.head(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                + "\r\nContent-Length: 0");
            SocketHttp.Reply reply = socket.read(Duration.ofSeconds(10));
            assertEquals(400, reply.status(), () -> method + " " + path + ": " + reply.body());
            assertTrue(reply.json().getString("detail").contains("percent"), reply::body);
          }
        }
        checked++;
      }
    }
    assertTrue(checked >= 28, "checked " + checked);
  }

  @Test
  @DisplayName("a method a path does not accept answers 405 with an Allow header listing the ones it does")
  void wrongMethodIs405WithAllow() {
    String key = api.newUser().getString("api_key");
    for (var entry : table.entrySet()) {
      String path = concrete(entry.getKey(), UUID.randomUUID().toString());
      // a path may match more than one template (.../archival-memory/search and .../archival-memory/:memory_id)
      Set<String> allowed = new TreeSet<>();
      table.forEach((template, methods) -> {
        if (PathTemplate.compile(template).matcher(path).matches()) {
          allowed.addAll(methods);
        }
      });
      // (a method the Letta SDK calls there without Engram implementing it answers 501: see below)
      String wrong = Arrays.stream(new String[] {"PATCH", "PUT", "DELETE"}).filter(m -> !allowed.contains(m))
          .filter(m -> LettaUnimplemented.explain(m, path) == null).findFirst().orElseThrow();
      Api.Response r = api.keyed(wrong, path, path.startsWith("/admin") ? TestServer.ADMIN : key, "{}");
      assertEquals(405, r.status(), () -> wrong + " " + path + ": " + r.body());
      assertError(r, 405, "Method Not Allowed");
      Set<String> allow = Arrays.stream(r.headers().firstValue("allow").orElse("").split(","))
          .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(allowed, allow, () -> wrong + " " + path);
    }
  }

  @Test
  @DisplayName("no route of the Letta SDK listed as not implemented is a route of the server (an implemented route"
      + " must leave the list)")
  void unimplementedSdkRoutesAreNotRoutes() {
    Set<String> routed = new TreeSet<>();
    for (LettaUnimplemented.Entry e : LettaUnimplemented.entries()) {
      String path = concrete(e.template(), UUID.randomUUID().toString());
      table.forEach((template, methods) -> {
        if (methods.contains(e.method()) && PathTemplate.compile(template).matcher(path).matches()) {
          routed.add(e.method() + " " + e.template() + " (" + e.sdkMethod() + ") is served by " + template);
        }
      });
    }
    assertTrue(routed.isEmpty(), () -> "remove these from LettaUnimplemented: " + routed);
  }

  @Test
  @DisplayName("every route the official Letta SDK calls (its resources/*.js) is a route of the server or listed as"
      + " not implemented")
  void everySdkRouteIsServedOrListed() throws IOException {
    Path resources = NodeScript.clientsDir().resolve("node_modules/@letta-ai/letta-client/resources");
    Pattern call = Pattern.compile("this\\._client\\.(get|post|patch|put|delete|getAPIList)\\("
        + "(?:\\(0, path_1\\.path\\) )?[`'](/v1/[^`']*)[`']");
    Set<String> missing = new TreeSet<>();
    int found = 0;
    try (var files = Files.walk(resources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".js")).toList()) {
        Matcher m = call.matcher(Files.readString(file));
        while (m.find()) {
          found++;
          String method = m.group(1).equals("getAPIList") ? "GET" : m.group(1).toUpperCase(java.util.Locale.ROOT);
          String path = m.group(2).replaceAll("\\$\\{[^}]+}", UUID.randomUUID().toString()).replaceAll("/$", "");
          boolean served = table.entrySet().stream().anyMatch(t -> t.getValue().contains(method)
              && PathTemplate.compile(t.getKey()).matcher(path).matches());
          if (!served && LettaUnimplemented.explain(method, path) == null) {
            missing.add(method + " " + m.group(2) + " (" + resources.relativize(file) + ")");
          }
        }
      }
    }
    assertTrue(found > 100, "read the SDK's calls: " + found);
    assertTrue(missing.isEmpty(), () -> "SDK routes neither served nor in LettaUnimplemented: " + missing);
  }
}
