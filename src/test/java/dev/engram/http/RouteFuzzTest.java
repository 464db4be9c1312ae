package dev.engram.http;

import static dev.engram.http.FuzzAnswers.problem;
import static dev.engram.http.Variant.Kind.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.config.EngramConfig;
import dev.engram.http.FuzzRoute.Caller;
import dev.engram.http.Variant.Kind;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fuzz pass over every route of the server ({@link FuzzRoutes} must name each one): malformed JSON, wrong types,
 * NUL and other control characters and lone surrogates, over-long strings and ids, bad percent-escapes, malformed,
 * unknown and other users' ids, bad multipart and over-limit bodies. Each is sent by a user who owns one of everything
 * ({@link FuzzFixture}), against that user's real objects, and must be answered 4xx with a JSON
 * {@code {"detail": "..."}} within {@link FuzzWire#DEADLINE}, unless the table lists it as accepted, with its reason
 * ({@link FuzzAcceptedCasesTest} checks that those are). After each battery the owner's and another user's state
 * ({@link UserSnapshot}) is exactly as before, and the model was never called. The WebSocket's frames have their own
 * battery ({@link SocketFrameFuzzTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteFuzzTest {
  private final TestServer server = TestServer.shared();
  private final FuzzWire wire = new FuzzWire(server.api.base(), server.port());
  /** The limits of a server with nothing configured, as the test server is. */
  private final EngramConfig limits = RouteTableTest.defaults(TempHomes.create("engram-fuzz-"));
  private FuzzUsers users;
  private FuzzTargets targets;
  private BodyVariants bodies;
  private UrlVariants urls;

  @BeforeAll
  void fixtures() throws InterruptedException {
    users = FuzzUsers.create(server, "fuzz");
    targets = users.targets();
    bodies = new BodyVariants(targets);
    urls = new UrlVariants(targets);
  }

  @BeforeEach
  void resetModel() {
    TestServer.llm().reset();
  }

  @AfterEach
  void nothingStored() {
    users.assertNothingStored();
  }

  @Test
  @DisplayName("every route of the server has a fuzz entry, and every entry is a route")
  void everyRouteHasAnEntry() {
    Vertx vertx = Vertx.vertx();
    try {
      RouteTable router = RouteTableTest.router(vertx);
      Set<String> missing = withoutEntry(router);
      assertTrue(missing.isEmpty(), () -> "routes without a fuzz entry in FuzzRoutes (add a valid example body and"
          + " query, or noBody(why)): " + missing);
      Set<String> routes = routes(router);
      Set<String> stale = FuzzRoutes.ALL.stream().map(FuzzRoute::key).filter(k -> !routes.contains(k))
          .collect(Collectors.toCollection(TreeSet::new));
      assertTrue(stale.isEmpty(), () -> "FuzzRoutes entries for routes the server does not have: " + stale);
      assertEquals(FuzzRoutes.ALL.size(), FuzzRoutes.ALL.stream().map(FuzzRoute::key).distinct().count(),
          "one entry per route");
      for (FuzzRoute r : FuzzRoutes.ALL) {
        assertTrue(r.noBody != null ^ !r.bodies.isEmpty(), () -> r + ": give example bodies or noBody(why)");
      }
      // and the check sees a route added without an entry
      router.post("/api/a-new-route").handler(ctx -> ctx.end());
      assertEquals(Set.of("POST /api/a-new-route"), withoutEntry(router));
    } finally {
      vertx.close();
    }
  }

  private static Set<String> routes(RouteTable router) {
    Set<String> routes = new TreeSet<>();
    for (Route route : router.routes()) {
      if (route.getPath() != null && route.methods() != null) {
        route.methods().stream().map(HttpMethod::name).forEach(m -> routes.add(m + " " + route.getPath()));
      }
    }
    return routes;
  }

  private static Set<String> withoutEntry(RouteTable router) {
    Set<String> missing = routes(router);
    FuzzRoutes.ALL.forEach(r -> missing.remove(r.key()));
    return missing;
  }

  @Test
  @DisplayName("malformed JSON bodies (cut, single-quoted, trailing garbage, not an object, bad bytes) answer 400")
  void malformedBodies() {
    run(r -> r.bodies.isEmpty() ? List.of() : bodies.malformed(r));
  }

  @Test
  @DisplayName("a wrong type in any field (string, number, boolean, object, array, huge, negative, fraction) is 4xx")
  void wrongTypes() {
    run(r -> concat(bodies.wrongTypes(r), urls.query(r, WRONG_TYPE)));
  }

  @Test
  @DisplayName("NUL (400), other control characters and lone surrogates (400) in any string field, key, query"
      + " parameter or path id")
  void controlCharacters() {
    Set<String> covered = run(r -> concat(bodies.characters(r), urls.query(r, NUL, CONTROL, SURROGATE),
        urls.path(r, NUL, CONTROL, SURROGATE)));
    assertEquals(FuzzRoutes.ALL.size(), covered.size(), "every route");
  }

  @Test
  @DisplayName("over-long strings in bodies (100,000 characters) and over-long ids in paths and queries (4,000"
      + " characters; 100,000 is 414)")
  void overLongStringsAndIds() {
    run(r -> concat(bodies.longStrings(r), urls.query(r, LONG, LONG_URL), urls.path(r, LONG, LONG_URL)));
  }

  @Test
  @DisplayName("a malformed percent-escape in any path id, query value or query name answers 400")
  void badPercentEscapes() {
    Set<String> covered = run(r -> concat(urls.query(r, ESCAPE), urls.path(r, ESCAPE)));
    assertEquals(FuzzRoutes.ALL.size(), covered.size(), "every route");
  }

  @Test
  @DisplayName("malformed, unknown, another user's and another kind's ids in paths, queries and bodies are 4xx")
  void wrongIds() {
    Kind[] kinds = {MALFORMED_ID, UNKNOWN_ID, FOREIGN_ID, OTHER_KIND_ID};
    // the admin may name any user's objects: another user's id is no fault on the admin routes
    run(r -> r.caller == Caller.ADMIN ? List.of() : concat(bodies.ids(r), urls.query(r, kinds), urls.path(r, kinds)));
  }

  @Test
  @DisplayName("a body one byte over MAX_BODY_BYTES answers 413 on every route, whatever its method")
  void overLimitBodies() {
    Set<String> covered = run(r -> r.multipart ? List.of() : List.of(bodies.overLimit(r, limits.server()
        .maxBodyBytes())));
    long uploads = FuzzRoutes.ALL.stream().filter(r -> r.multipart).count();
    assertEquals(FuzzRoutes.ALL.size() - uploads, covered.size(), "every route but the uploads (see badMultipart)");
  }

  @Test
  @DisplayName("broken multipart bodies, and one over MAX_UPLOAD_BYTES, on the upload routes are 4xx and store no job,"
      + " document or passage")
  void badMultipart() {
    run(r -> r.multipart ? UploadVariants.all(targets.path(r)) : List.of());
    // an upload that declares more than MAX_UPLOAD_BYTES (plus the multipart envelope) is refused before it is read
    long declared = limits.archival().maxUploadBytes() + UploadBody.MULTIPART_OVERHEAD + 1;
    for (FuzzRoute upload : FuzzRoutes.ALL.stream().filter(r -> r.multipart).toList()) {
      FuzzWire.Reply reply = wire.sendPartial("POST " + targets.target(upload) + " HTTP/1.1\r\nHost: localhost"
          + "\r\nAuthorization: Bearer " + users.owner.key + "\r\nContent-Type: " + UploadVariants.contentType()
          + "\r\nContent-Length: " + declared, new byte[64 * 1024]);
      Variant over = new Variant(OVER_LIMIT, "body", declared + " bytes declared", "POST", targets.target(upload),
          null, null, true);
      assertNull(problem(over, reply), () -> upload + ": " + problem(over, reply));
      assertTrue(reply.body().contains("MAX_UPLOAD_BYTES"), reply.body());
    }
  }

  @SafeVarargs
  private static List<Variant> concat(List<Variant>... lists) {
    List<Variant> out = new ArrayList<>();
    for (List<Variant> l : lists) {
      out.addAll(l);
    }
    return out;
  }

  /**
   * Sends every variant of every route that is not an accepted case; fails listing each bad answer. Returns the routes
   * the battery reached.
   */
  private Set<String> run(Function<FuzzRoute, List<Variant>> battery) {
    List<String> failures = new ArrayList<>();
    Set<String> covered = new TreeSet<>();
    int sent = 0;
    for (FuzzRoute route : FuzzRoutes.ALL) {
      for (Variant v : battery.apply(route)) {
        covered.add(route.key());
        if (route.acceptance(v) != null) {
          continue;
        }
        String credential = route.caller == Caller.ADMIN ? TestServer.ADMIN : users.owner.key;
        String problem = problem(v, wire.send(v, credential, route.webSocket));
        sent++;
        if (problem != null) {
          failures.add(route + " " + v.describe() + "\n    -> " + problem);
        }
      }
    }
    int total = sent;
    assertTrue(failures.isEmpty(), () -> failures.size() + " of " + total + " variants were not refused properly:\n"
        + String.join("\n", failures.subList(0, Math.min(200, failures.size()))));
    return covered;
  }
}
