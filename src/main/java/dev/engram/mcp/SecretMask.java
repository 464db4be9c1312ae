package dev.engram.mcp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the secrets of an MCP server (its auth token, the values of its env and custom headers) are shown to clients:
 * never in full. A value shows its last four characters when it is long enough that they give little away (16 or
 * more), else nothing but the mask, so a user can still tell which key is set. A masked value sent back unchanged
 * (an edit form round trip) keeps the stored secret instead of replacing it with the mask.
 */
public final class SecretMask {
  static final String MASK = "****";
  private static final int SHOW_TAIL_FROM = 16;

  private SecretMask() {}

  /** The value as clients see it; null stays null. */
  public static String mask(String secret) {
    if (secret == null) {
      return null;
    }
    return secret.length() >= SHOW_TAIL_FROM ? MASK + secret.substring(secret.length() - 4) : MASK;
  }

  public static Map<String, String> mask(Map<String, String> secrets) {
    Map<String, String> out = new LinkedHashMap<>();
    new java.util.TreeMap<>(secrets).forEach((k, v) -> out.put(k, mask(v)));
    return out;
  }

  /** The value to store for {@code given}: the stored one when {@code given} is its mask, else {@code given}. */
  public static String keep(String given, String stored) {
    return given != null && stored != null && given.equals(mask(stored)) ? stored : given;
  }

  /** {@link #keep(String, String)} for each value of a map, by key. */
  public static Map<String, String> keep(Map<String, String> given, Map<String, String> stored) {
    Map<String, String> out = new LinkedHashMap<>();
    given.forEach((k, v) -> out.put(k, keep(v, stored.get(k))));
    return out;
  }
}
