package dev.engram.http;

import dev.engram.store.StoreProtocol;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.store.StoreClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Resolves the caller of a request: the admin password acts as the default user, an {@code sk-} key as its user,
 * a JWT from /api/auth/token as its subject, and the static key of {@code API_KEY} (when set) the default user.
 * Credentials come from {@code Authorization: Bearer}, {@code Authorization: Token} (the Mem0 platform clients) or
 * {@code X-API-Key}. Resolved keys are cached briefly and dropped when any key or user is revoked.
 *
 * <p>The operator's routes (/admin/*, /metrics when it asks) take the admin password or an admin token: a JWT issued
 * to the admin password, which carries the {@link AdminClaim} for its lifetime (and passes it on when renewed). A
 * JWT issued to a user's key never does. Elsewhere an admin token acts as the default user, like the password on
 * /api, but it does not stand in for the password where the password changes the server itself (POST /configure,
 * resetting every user's memories, command-running MCP servers): {@link #isAdmin(RoutingContext)} stays the password.
 */
public final class Authenticator {
  static final String DEFAULT_USER = "00000000-0000-0000-0000-000000000000";
  static final String USER_KEY = "engram.user";
  static final String ADMIN_KEY = "engram.admin";
  static final String ADMIN_TOKEN_KEY = "engram.admin.token";
  private static final long CACHE_MILLIS = 30_000;

  private final StoreClient store;
  private final JWTAuth jwt;
  private final byte[] adminPassword;
  private final byte[] staticApiKey;
  private final AdminClaim adminClaim;
  private final CredentialCache cache;

  /** A resolved credential: whose it is, and whether it is the admin password or an admin token. */
  private record Cached(String userId, boolean admin, long expiresAt) {}

  /** What a request's credential is worth on the operator's routes. */
  enum Standing {
    /** No credential, or a key (never an admin's): 401, the route asks for the admin password. */
    NONE,
    /** A valid token of a user, who is known and not the admin: 403. */
    USER,
    /** The admin password or an admin token. */
    ADMIN
  }

  Authenticator(Vertx vertx, StoreClient store, JWTAuth jwt, String adminPassword, String staticApiKey,
      AdminClaim adminClaim) {
    this.store = store;
    this.jwt = jwt;
    this.adminClaim = adminClaim;
    this.adminPassword = adminPassword.getBytes(StandardCharsets.UTF_8);
    this.staticApiKey = staticApiKey == null || staticApiKey.isBlank() ? null
        : staticApiKey.getBytes(StandardCharsets.UTF_8);
    this.cache = CredentialCache.of(vertx);
    StoreProtocol.AUTH_REVOKED.subscribe(vertx, revoked -> cache.revoked());
  }

  /**
   * The handler in front of every route: the routes of {@code open} pass as they are, /admin and /admin/* need the
   * admin password or an admin token, every other path a credential of a user. A route added anywhere is
   * authenticated without anyone having to remember it.
   */
  Handler<RoutingContext> requiredExcept(PublicRoutes open) {
    return ctx -> {
      String path = ctx.normalizedPath();
      if (open.contains(ctx)) {
        ctx.next();
      } else if (path.equals("/admin") || path.startsWith("/admin/")) {
        admin(ctx);
      } else {
        api(ctx);
      }
    };
  }

  /** Puts the caller's user id in the context or fails with 401/403. */
  private void api(RoutingContext ctx) {
    String token = credential(ctx);
    if (token == null) {
      ctx.fail(new ApiException(ErrorKind.UNAUTHORIZED,
          "Not authenticated: send Authorization: Bearer <API key, admin password or token>"));
      return;
    }
    lookup(token).onSuccess(caller -> {
      ctx.put(USER_KEY, caller.userId());
      ctx.put(ADMIN_KEY, isAdmin(token));
      ctx.put(ADMIN_TOKEN_KEY, caller.admin());
      ctx.next();
    }).onFailure(ctx::fail);
  }

  /**
   * The standing of the request's credential for the operator's routes (for a public route that decides its own
   * access). A wrong password, an unknown key and an invalid or expired token all stand for nothing (401, as the
   * operator's routes always answered them); only a failure to look the caller up fails.
   */
  Future<Standing> standing(RoutingContext ctx) {
    String token = credential(ctx);
    if (token == null) {
      return Future.succeededFuture(Standing.NONE);
    }
    if (isAdmin(token)) {
      return Future.succeededFuture(Standing.ADMIN);
    }
    // keys are never an admin's, so they are not looked up here
    if (token.startsWith("sk-") || isStaticKey(token)) {
      return Future.succeededFuture(Standing.NONE);
    }
    return lookup(token).map(caller -> caller.admin() ? Standing.ADMIN : Standing.USER)
        .recover(e -> e instanceof ApiException refused && refused.kind() == ErrorKind.FORBIDDEN
            ? Future.succeededFuture(Standing.NONE) : Future.failedFuture(e));
  }

  /** The admin password or an admin token passes; a user's token is forbidden, anything else unauthorized. */
  private void admin(RoutingContext ctx) {
    standing(ctx).onSuccess(standing -> {
      switch (standing) {
        case ADMIN -> ctx.next();
        case USER -> ctx.fail(new ApiException(ErrorKind.FORBIDDEN,
            "Forbidden: this token was issued to a user's key; the admin routes need the admin password or a token"
                + " issued to it"));
        case NONE -> ctx.fail(new ApiException(ErrorKind.UNAUTHORIZED,
            "Unauthorized: the admin routes need the admin password"));
      }
    }).onFailure(ctx::fail);
  }

  /** A WebSocket handshake accepts a bearer header or, for browsers, a JWT in ?token= (never an API key). */
  public Future<String> webSocketUser(RoutingContext ctx) {
    String header = credential(ctx);
    if (header != null) {
      return resolve(header);
    }
    String token = ctx.queryParams().get("token");
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new ApiException(ErrorKind.UNAUTHORIZED,
          "Not authenticated: send Authorization: Bearer <key> or ?token=<JWT from POST /api/auth/token>"));
    }
    if (token.startsWith("sk-") || isAdmin(token) || isStaticKey(token)) {
      return Future.failedFuture(new ApiException(ErrorKind.FORBIDDEN,
          "API keys and passwords are not accepted in URLs; exchange one for a token at POST /api/auth/token"));
    }
    return lookup(token).map(Cached::userId);
  }

  public static String user(RoutingContext ctx) {
    return ctx.get(USER_KEY);
  }

  /** Whether the caller authenticated with the admin password itself. */
  public static boolean isAdmin(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(ADMIN_KEY));
  }

  /**
   * Whether the caller authenticated with the admin password or an admin token: what a token issued to this caller
   * may carry on (POST /api/auth/token renews an admin token as an admin token).
   */
  public static boolean holdsAdminToken(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(ADMIN_TOKEN_KEY));
  }

  /** The claims of a token issued to the caller of {@code ctx}. */
  public JsonObject tokenClaims(RoutingContext ctx) {
    JsonObject claims = new JsonObject().put("sub", user(ctx));
    return holdsAdminToken(ctx) ? adminClaim.addTo(claims) : claims;
  }

  Future<String> resolve(String token) {
    return lookup(token).map(Cached::userId);
  }

  private Future<Cached> lookup(String token) {
    if (isAdmin(token)) {
      return Future.succeededFuture(new Cached(DEFAULT_USER, true, Long.MAX_VALUE));
    }
    if (isStaticKey(token)) {
      return Future.succeededFuture(new Cached(DEFAULT_USER, false, Long.MAX_VALUE));
    }
    Cached hit = cache.get(token, System.currentTimeMillis());
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    long mark = cache.mark();
    Future<Cached> lookup = token.startsWith("sk-")
        ? store.resolveKey(token).map(userId -> userId == null
            ? null : new Cached(userId, false, System.currentTimeMillis() + CACHE_MILLIS))
        : verifyJwt(token);
    return lookup.compose(found -> {
      if (found == null) {
        return Future.failedFuture(new ApiException(ErrorKind.FORBIDDEN,
            "Authentication error: the API key is not valid"));
      }
      cache.put(mark, token, found, found.expiresAt());
      return Future.succeededFuture(found);
    });
  }

  /** A valid token's subject, to be cached no longer than the token itself is valid (its {@code exp}). */
  private Future<Cached> verifyJwt(String token) {
    return jwt.authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(new ApiException(ErrorKind.FORBIDDEN,
            "Authentication error: the token is invalid or expired")))
        .compose(user -> {
          String subject = user.subject();
          Object exp = user.principal().getValue("exp");
          long expiresAt = exp instanceof Number n ? n.longValue() * 1000 : 0;
          long until = Math.min(System.currentTimeMillis() + CACHE_MILLIS, expiresAt);
          boolean admin = adminClaim.heldBy(user.principal());
          return store.userExists(subject).compose(exists -> exists
              ? Future.succeededFuture(new Cached(subject, admin, until))
              : Future.failedFuture(new ApiException(ErrorKind.FORBIDDEN,
                  "Authentication error: the token's user no longer exists")));
        });
  }

  private boolean isAdmin(String token) {
    return MessageDigest.isEqual(adminPassword, token.getBytes(StandardCharsets.UTF_8));
  }

  private boolean isStaticKey(String token) {
    return staticApiKey != null && MessageDigest.isEqual(staticApiKey, token.getBytes(StandardCharsets.UTF_8));
  }

  private static String credential(RoutingContext ctx) {
    String auth = ctx.request().getHeader("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = auth.substring(7).trim();
      return token.isEmpty() ? null : token;
    }
    // the Mem0 platform clients send "Authorization: Token <key>"
    if (auth != null && auth.regionMatches(true, 0, "Token ", 0, 6)) {
      String token = auth.substring(6).trim();
      return token.isEmpty() ? null : token;
    }
    String key = ctx.request().getHeader("X-API-Key");
    return key == null || key.isBlank() ? null : key.trim();
  }
}
