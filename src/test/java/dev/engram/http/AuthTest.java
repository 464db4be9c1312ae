package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static dev.engram.http.Problems.assertOk;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import dev.engram.testkit.TempHomes;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Who a request on /api runs as: admin password, API keys (two headers), and JWTs from /api/auth/token. */
class AuthTest {
  private static final String DEFAULT_USER = "00000000-0000-0000-0000-000000000000";

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json

  @BeforeEach
  void reset() {
    TestServer.llm().reset();
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  @DisplayName("the admin password on /api acts as the default user 00000000-0000-0000-0000-000000000000")
  void adminPasswordIsDefaultUser() {
    String name = unique("admin-agent");
    Api.Response created = api.post("/api/agents", TestServer.ADMIN,
        new JsonObject().put("config", new JsonObject().put("name", name)));
    assertOk(created);
    JsonObject state = created.json().getJsonObject("agent_state");
    assertEquals(DEFAULT_USER, state.getString("user_id"));
    String agentId = state.getString("id");
    try {
      assertTrue(api.get("/api/agents", TestServer.ADMIN).json().getJsonArray("agents").stream()
          .anyMatch(a -> agentId.equals(((JsonObject) a).getString("id"))));
      // a regular user does not see the default user's agent
      String key = api.newUser().getString("api_key");
      assertError(api.get("/api/agents/" + agentId + "/config", key), 404, agentId);
    } finally {
      assertOk(api.delete("/api/agents/" + agentId, TestServer.ADMIN));
    }
  }

  @Test
  @DisplayName("an sk- key acts as its own user, whether sent as a bearer token or in X-API-Key")
  void apiKeyActsAsItsUser() {
    JsonObject user = api.newUser();
    String key = user.getString("api_key");
    String agentId = api.newAgent(key, "mine");
    Api.Response config = api.get("/api/agents/" + agentId + "/config", key);
    assertOk(config);
    assertEquals(user.getString("user_id"), config.json().getJsonObject("agent_state").getString("user_id"));

    Api.Response viaHeader = RawHttp.send(api, "GET", "/api/agents", null, "X-API-Key", key);
    assertOk(viaHeader);
    assertEquals(1, viaHeader.json().getInteger("num_agents"));
    assertEquals(agentId, viaHeader.json().getJsonArray("agents").getJsonObject(0).getString("id"));
  }

  @Test
  @DisplayName("a request without credentials is 401 and a wrong key is 403, both with a detail")
  void missingOrWrongCredential() {
    assertError(RawHttp.send(api, "GET", "/api/agents", null), 401, "Not authenticated");
    assertError(RawHttp.send(api, "GET", "/api/agents", null, "Authorization", "Bearer "), 401, "Not authenticated");
    assertError(RawHttp.send(api, "POST", "/api/agents", "{\"config\":{\"name\":\"x\"}}",
        "content-type", "application/json"), 401, "Not authenticated");
    assertError(api.get("/api/agents", "sk-" + "f".repeat(48)), 403, "Authentication error");
    assertError(RawHttp.send(api, "GET", "/api/agents", null, "X-API-Key", "sk-" + "e".repeat(48)), 403,
        "Authentication error");
    assertError(api.get("/api/agents", "not-a-key-at-all"), 403, "Authentication error");
  }

  @Test
  @DisplayName("POST /api/auth/token exchanges a key for a bearer JWT that then acts as the key's user")
  void tokenExchange() {
    JsonObject user = api.newUser();
    String key = user.getString("api_key");
    String agentId = api.newAgent(key, "token-agent");

    Instant before = Instant.now();
    Api.Response r = api.post("/api/auth/token", key, new JsonObject());
    assertOk(r);
    JsonObject body = r.json();
    String token = body.getString("token");
    assertNotNull(token, r.body());
    assertEquals(3, token.split("\\.").length, token);
    assertEquals("bearer", body.getString("token_type"));
    assertEquals(3600L, body.getLong("expires_in"));
    Instant expiresAt = OffsetDateTime.parse(body.getString("expires_at")).toInstant();
    assertFalse(expiresAt.isBefore(before.plusSeconds(3600).minusSeconds(2)), body.encode());
    assertFalse(expiresAt.isAfter(Instant.now().plusSeconds(3600).plusSeconds(2)), body.encode());

    Api.Response agents = api.get("/api/agents", token);
    assertOk(agents);
    assertEquals(1, agents.json().getInteger("num_agents"));
    assertEquals(agentId, agents.json().getJsonArray("agents").getJsonObject(0).getString("id"));
    Api.Response viaHeader = RawHttp.send(api, "GET", "/api/agents/" + agentId + "/config", null, "X-API-Key", token);
    assertOk(viaHeader);
    assertEquals(user.getString("user_id"), viaHeader.json().getJsonObject("agent_state").getString("user_id"));
  }

  @Test
  @DisplayName("a tampered JWT is refused with 403: a changed signature, or a payload claiming another user")
  void tamperedToken() {
    String key = api.newUser().getString("api_key");
    JsonObject victim = api.newUser();
    api.newAgent(victim.getString("api_key"), "victim-agent");
    String token = api.post("/api/auth/token", key, new JsonObject()).json().getString("token");
    String[] parts = token.split("\\.");

    String badSignature = parts[0] + "." + parts[1] + "." + flipFirstChar(parts[2]);
    assertError(api.get("/api/agents", badSignature), 403, "Authentication error");

    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    claims.put("sub", victim.getString("user_id"));
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertError(api.get("/api/agents", forged), 403, "Authentication error");

    JsonObject header = new JsonObject().put("alg", "none").put("typ", "JWT");
    String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString(header.encode().getBytes(
        StandardCharsets.UTF_8)) + "." + parts[1] + ".";
    assertError(api.get("/api/agents", unsigned), 403, "Authentication error");

    // the genuine token still works
    assertOk(api.get("/api/agents", token));
  }

  @Test
  @DisplayName("a JWT of a deleted user stops working")
  void tokenOfDeletedUser() {
    JsonObject user = api.newUser();
    String token = api.post("/api/auth/token", user.getString("api_key"), new JsonObject()).json()
        .getString("token");
    assertOk(api.get("/api/agents", token));
    assertOk(api.delete("/admin/users?user_id=" + user.getString("user_id"), TestServer.ADMIN));
    assertError(api.get("/api/agents", token), 403, "Authentication error");
  }

  @Test
  @DisplayName("with JWT_TTL_SECONDS=1 a token works at first and is refused with 403 once it has expired")
  void tokenExpires() throws Exception {
    try (TestServer server = TestServer.start(TempHomes.create("engram-ttl-"),
        Map.of("JWT_TTL_SECONDS", "1"))) {
      Api own = server.api;
      String key = own.newUser().getString("api_key");
      Api.Response issued = own.post("/api/auth/token", key, new JsonObject());
      assertOk(issued);
      assertEquals(1L, issued.json().getLong("expires_in"));
      String token = issued.json().getString("token");
      assertOk(own.get("/api/agents", token));

      Instant deadline = Instant.now().plus(Duration.ofSeconds(8));
      Api.Response last = own.get("/api/agents", token);
      while (last.status() == 200 && Instant.now().isBefore(deadline)) {
        Thread.sleep(250);
        last = own.get("/api/agents", token);
      }
      assertError(last, 403, "Authentication error");
      // the key it came from is still good
      assertOk(own.get("/api/agents", key));
    }
  }

  private static String flipFirstChar(String s) {
    char c = s.charAt(0) == 'A' ? 'B' : 'A';
    return c + s.substring(1);
  }
}
