package dev.engram.http.api;

import dev.engram.http.Authenticator;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.Times;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * POST /api/auth/token: exchanges the caller's credential for a short-lived signed JWT (HS256). A token issued to the
 * admin password, or to an admin token (the web app renews its token so), is an admin token ({@code "admin": true}).
 */
public final class AuthRoutes {
  static final String ISSUER = "engram";

  private final JWTAuth jwt;
  private final Authenticator auth;
  private final long ttlSeconds;

  public AuthRoutes(JWTAuth jwt, Authenticator auth, long ttlSeconds) {
    this.jwt = jwt;
    this.auth = auth;
    this.ttlSeconds = ttlSeconds;
  }

  public void mount(RouteTable router) {
    router.post("/api/auth/token").handler(this::token);
  }

  private void token(RoutingContext ctx) {
    String user = Authenticator.user(ctx);
    String token = jwt.generateToken(auth.tokenClaims(ctx),
        new JWTOptions().setAlgorithm("HS256").setIssuer(ISSUER).setExpiresInSeconds((int) ttlSeconds));
    Responses.json(ctx, 200, new JsonObject().put("token", token).put("token_type", "bearer")
        .put("expires_in", ttlSeconds).put("expires_at", Times.iso(Instant.now().plusSeconds(ttlSeconds)))
        .put("user_id", user).put("admin", Authenticator.holdsAdminToken(ctx)));
  }
}
