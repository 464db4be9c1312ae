package dev.engram.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The resolved credentials that the HTTP verticles of one server share, and what a revocation does to them. */
class CredentialCacheTest {
  @Test
  @DisplayName("the HTTP verticles of one Vert.x share one cache; another Vert.x has its own")
  void onePerVertx() throws Exception {
    Vertx one = Vertx.vertx();
    Vertx two = Vertx.vertx();
    try {
      assertSame(CredentialCache.of(one), CredentialCache.of(one));
      assertNotSame(CredentialCache.of(one), CredentialCache.of(two));
      CredentialCache.of(one).put(CredentialCache.of(one).mark(), "sk-a", "user-a", Long.MAX_VALUE);
      assertEquals("user-a", CredentialCache.of(one).get("sk-a", 0));
      assertNull(CredentialCache.of(two).get("sk-a", 0));
    } finally {
      one.close().toCompletionStage().toCompletableFuture().get();
      two.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  @DisplayName("a revocation drops what is cached, and a lookup that began before it is not cached after it")
  void revocationWinsOverALookupUnderWay() {
    CredentialCache cache = new CredentialCache();
    cache.put(cache.mark(), "sk-old", "user-1", Long.MAX_VALUE);
    long underWay = cache.mark(); // a key lookup starts: it may read the key before the user is deleted
    cache.revoked();
    assertNull(cache.get("sk-old", 0), "dropped by the revocation");
    cache.put(underWay, "sk-gone", "user-2", Long.MAX_VALUE);
    assertNull(cache.get("sk-gone", 0), "the lookup under way is answered but not cached");
    cache.put(cache.mark(), "sk-new", "user-3", Long.MAX_VALUE);
    assertEquals("user-3", cache.get("sk-new", 0));
  }

  @Test
  @DisplayName("an entry is not taken past its expiry")
  void expiry() {
    CredentialCache cache = new CredentialCache();
    cache.put(cache.mark(), "sk-x", "user-x", 1_000);
    assertEquals("user-x", cache.get("sk-x", 999));
    assertNull(cache.get("sk-x", 1_000));
  }
}
