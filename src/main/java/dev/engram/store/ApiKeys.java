package dev.engram.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** API keys: {@code sk-} and 48 hex digits, shown once and stored only as their SHA-256 digest. */
final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  static String generate() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return "sk-" + HexFormat.of().formatHex(bytes);
  }

  static byte[] hash(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What listings show of a key: enough to tell keys apart, not enough to use one. */
  static String hint(String key) {
    return key.substring(0, Math.min(7, key.length())) + "..." + key.substring(Math.max(0, key.length() - 4));
  }

  static boolean matches(byte[] storedHash, String presentedKey) {
    return MessageDigest.isEqual(storedHash, hash(presentedKey));
  }
}
