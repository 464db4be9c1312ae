package dev.engram.http;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolved credentials, shared by all the HTTP verticle instances of one Vert.x: a revocation seen by any of them
 * (the one that answers the delete sees it before it answers) holds for all at once. Before, each instance had a
 * cache of its own, and a deleted user's key could pass on another instance that had not yet taken the notice
 * ({@code AdminApiTest.deleteUser} saw 200 where 403 was due). A lookup that was under way when a revocation came is
 * not cached: it may have read the key before it was deleted.
 */
final class CredentialCache implements Shareable {
  private static final String NAME = "engram.credentials";

  /** What a credential resolved to, and until when it may be taken from here. */
  record Entry<T>(T value, long expiresAt) {}

  private final Map<String, Entry<?>> entries = new ConcurrentHashMap<>();
  private long revocations;

  /** The cache of {@code vertx}'s HTTP verticles, made by the first that asks. */
  static CredentialCache of(Vertx vertx) {
    return (CredentialCache) vertx.sharedData().getLocalMap(NAME).computeIfAbsent(NAME, k -> new CredentialCache());
  }

  /** The value cached for {@code token} while it has not expired, or null. */
  @SuppressWarnings("unchecked")
  <T> T get(String token, long now) {
    Entry<?> e = entries.get(token);
    return e != null && e.expiresAt() > now ? (T) e.value() : null;
  }

  /** A mark to pass to {@link #put} for a lookup that starts now. */
  synchronized long mark() {
    return revocations;
  }

  /** Caches a lookup's result, unless a revocation came since its {@code mark}. */
  synchronized <T> void put(long mark, String token, T value, long expiresAt) {
    if (mark == revocations) {
      entries.put(token, new Entry<>(value, expiresAt));
    }
  }

  /** A key or a user was revoked: nothing cached holds any more, nor does a lookup under way. */
  synchronized void revoked() {
    revocations++;
    entries.clear();
  }
}
