package dev.engram.store;

import dev.engram.kernel.ApiException;
import java.util.UUID;

/** Parsing of the UUID ids that clients send. */
final class Ids {
  private Ids() {}

  static UUID uuid(String value, String field) {
    UUID id = uuidOrNull(value);
    if (id == null) {
      throw ApiException.badRequest(field + " must be a UUID, got '" + value + "'");
    }
    return id;
  }

  static UUID uuidOrNull(String value) {
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
