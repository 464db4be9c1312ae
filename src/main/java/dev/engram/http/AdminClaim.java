package dev.engram.http;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The claim that makes a JWT from /api/auth/token an admin token: only a token issued to the admin password (or
 * renewed with such a token) carries it. Its value is an HMAC of the admin password under the JWT secret, so a token
 * stops being an admin token when the admin password changes, and a token that leaks (a WebSocket URL carries one)
 * gives nothing to guess the password from offline: the secret never leaves the server.
 */
public final class AdminClaim {
  public static final String NAME = "adm";

  private final String value;

  AdminClaim(String adminPassword, String jwtSecret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(jwtSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal(("engram admin:" + adminPassword).getBytes(StandardCharsets.UTF_8));
      value = Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Adds the claim to the claims of a token being issued. */
  public JsonObject addTo(JsonObject claims) {
    return claims.put(NAME, value);
  }

  /** Whether a verified token's claims carry the claim of the current admin password. */
  boolean heldBy(JsonObject claims) {
    Object claim = claims.getValue(NAME);
    return claim instanceof String s
        && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), s.getBytes(StandardCharsets.UTF_8));
  }
}
