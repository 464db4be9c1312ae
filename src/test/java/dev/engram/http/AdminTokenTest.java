package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static dev.engram.http.Problems.assertOk;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Admin tokens: a JWT issued to the admin password opens the operator's routes (/admin/*, /metrics) for its lifetime;
 * a JWT issued to a user's key never does; a forged or expired one does not either.
 */
class AdminTokenTest {
  private final Api api = TestServer.shared().checkedApi();

  private String token(Api on, String credential) {
    Api.Response r = on.post("/api/auth/token", credential, new JsonObject());
    assertOk(r);
    return r.json().getString("token");
  }

  @Test
  @DisplayName("a token issued to the admin password is an admin token: /admin/users and /admin/dashboard answer")
  void adminTokenReachesAdminRoutes() {
    Api.Response issued = api.post("/api/auth/token", TestServer.ADMIN, new JsonObject());
    assertOk(issued);
    assertTrue(issued.json().getBoolean("admin"), issued.body());
    String token = issued.json().getString("token");
    assertOk(api.get("/admin/users", token));
    assertOk(api.get("/admin/dashboard", token));
    // on /api it acts as the default user, as the password does
    assertOk(api.get("/api/agents", token));
    // renewed with itself (as the web app does), it stays an admin token
    Api.Response renewed = api.post("/api/auth/token", token, new JsonObject());
    assertTrue(renewed.json().getBoolean("admin"), renewed.body());
    assertOk(api.get("/admin/users", renewed.json().getString("token")));
  }

  @Test
  @DisplayName("a token issued to a user's key (or renewed from one) is refused on /admin with 403; the key itself 401")
  void userTokenIsForbidden() {
    String key = api.newUser().getString("api_key");
    Api.Response issued = api.post("/api/auth/token", key, new JsonObject());
    assertFalse(issued.json().getBoolean("admin"), issued.body());
    String token = issued.json().getString("token");
    assertError(api.get("/admin/users", token), 403, "admin password");
    assertError(api.get("/admin/dashboard", token), 403, "admin password");
    String renewed = token(api, token);
    assertError(api.get("/admin/users", renewed), 403, "admin password");
    assertError(api.get("/admin/users", key), 401, "admin password");
    // the static API_KEY acts as the default user but is no admin's either
    Api.Response fromStatic = api.post("/api/auth/token", TestServer.STATIC_KEY, new JsonObject());
    assertFalse(fromStatic.json().getBoolean("admin"), fromStatic.body());
    assertError(api.get("/admin/users", fromStatic.json().getString("token")), 403, "admin password");
  }

  @Test
  @DisplayName("a user's token given the admin claim of an admin token, or an admin token re-signed badly, is refused")
  void forgedAdminToken() {
    String admin = token(api, TestServer.ADMIN);
    String user = token(api, api.newUser().getString("api_key"));
    String[] adminParts = admin.split("\\.");
    String[] userParts = user.split("\\.");
    JsonObject claims = decode(userParts[1]).put("adm", decode(adminParts[1]).getString("adm"));
    String forged = userParts[0] + "." + encode(claims) + "." + userParts[2];
    assertError(api.get("/admin/users", forged), 401, "admin password");
    assertError(api.get("/api/agents", forged), 403, "Authentication error");
    String badSignature = adminParts[0] + "." + adminParts[1] + "." + (adminParts[2].startsWith("A") ? "B" : "A")
        + adminParts[2].substring(1);
    assertError(api.get("/admin/users", badSignature), 401, "admin password");
    assertError(api.get("/admin/users", null), 401, "admin password");
  }

  @Test
  @DisplayName("an admin token is not the password where the password changes the server (POST /configure)")
  void adminTokenIsNotThePassword() {
    Api.Response r = api.post("/configure", token(api, TestServer.ADMIN), new JsonObject());
    assertError(r, 403, "admin password");
  }

  @Test
  @DisplayName("METRICS_ACCESS=admin: an admin token reads /metrics, a user's token gets 403, an expired one 401;"
      + " a new admin password ends the old admin tokens")
  void metricsAndExpiry() throws Exception {
    Path home = TempHomes.create("engram-admin-token-");
    String adminToken;
    try (TestServer own = TestServer.start(home, Map.of("METRICS_ACCESS", "admin", "JWT_TTL_SECONDS", "3"))) {
      adminToken = token(own.api, TestServer.ADMIN);
      Api.Response metrics = own.api.get("/metrics", adminToken);
      assertEquals(200, metrics.status(), metrics.body());
      assertTrue(metrics.body().contains("engram_agent_step_seconds"), metrics.body());
      String userToken = token(own.api, own.api.newUser().getString("api_key"));
      assertError(own.api.get("/metrics", userToken), 403, "admin password");
      assertError(own.api.get("/metrics", null), 401, "admin password");
      // once expired, the admin token counts for nothing on /admin and /metrics (401, as without a credential)
      String shortLived = token(own.api, TestServer.ADMIN);
      long deadline = System.currentTimeMillis() + 10_000;
      while (own.api.get("/admin/users", shortLived).status() == 200 && System.currentTimeMillis() < deadline) {
        Thread.sleep(250);
      }
      assertError(own.api.get("/admin/users", shortLived), 401, "admin password");
      assertError(own.api.get("/metrics", shortLived), 401, "admin password");
    }
    // the same home (same JWT secret) with another admin password: a fresh token from before is valid, but no admin's
    try (TestServer before = TestServer.start(home, Map.of("JWT_TTL_SECONDS", "600"))) {
      adminToken = token(before.api, TestServer.ADMIN);
      assertOk(before.api.get("/admin/users", adminToken));
    }
    try (TestServer after = TestServer.start(home, Map.of("MEMGPT_SERVER_PASS", "a-new-admin-password"))) {
      assertOk(after.api.get("/api/agents", adminToken));
      assertError(after.api.get("/admin/users", adminToken), 403, "admin password");
      assertOk(after.api.get("/admin/users", "a-new-admin-password"));
    }
  }

  private static JsonObject decode(String part) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
  }

  private static String encode(JsonObject claims) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
  }
}
