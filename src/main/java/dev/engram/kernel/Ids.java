package dev.engram.kernel;

import java.util.UUID;

/**
 * The one parser of the UUIDs that clients send (in paths, query parameters and bodies). Only the canonical form is
 * an id: 36 characters, {@code 8-4-4-4-12} lower-case hexadecimal digits, as this server writes every id.
 * {@link UUID#fromString} also takes {@code "1-1-1-1-1"} or a 35-character string and pads them into another id than
 * the one the client wrote, and an upper-case spelling would name the same row under a second string (agents are
 * cached and serialised by their id string).
 */
public final class Ids {
  private static final int LENGTH = 36;

  private Ids() {}

  /** The id, or null when {@code value} is null or not a canonical UUID. */
  public static UUID parse(String value) {
    if (value == null || value.length() != LENGTH) {
      return null;
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = value.charAt(i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-' : c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
      if (!ok) {
        return null;
      }
    }
    return UUID.fromString(value);
  }

  /** The id in a request field; a value that is not a canonical UUID is a wrong field (422) naming it. */
  public static UUID require(String value, String field) {
    UUID id = parse(value);
    if (id == null) {
      throw ApiException.unprocessable(field + " must be a UUID of 36 lower-case characters such as "
          + "123e4567-e89b-12d3-a456-426614174000, got '" + shown(value) + "'");
    }
    return id;
  }

  private static String shown(String value) {
    return value == null || value.length() <= 80 ? value : value.substring(0, 80) + "...";
  }
}
