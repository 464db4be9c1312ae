package dev.engram.store;

import dev.engram.store.MemoryProtocol.Validity;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The SQL condition (on {@code memories m}) that keeps the versions of facts a {@link Validity} asks for. */
final class MemoryValidity {
  /** Facts that hold now. */
  static final String CURRENT = "m.valid_to is null and (m.expiration_date is null or m.expiration_date > now())";

  private MemoryValidity() {}

  /** The condition; an instant it needs is appended to {@code params} and referred to by its position. */
  static String sql(Validity validity, List<Object> params) {
    if (validity == null || validity.current()) {
      return CURRENT;
    }
    String at = "now()";
    List<String> parts = new ArrayList<>();
    if (validity.asOf() != null) {
      params.add(validity.asOf().atOffset(ZoneOffset.UTC));
      at = "$" + params.size();
      parts.add("m.valid_from <= " + at);
    }
    if (!validity.includeExpired()) {
      parts.add("(m.expiration_date is null or m.expiration_date > " + at + ")");
    }
    // with include_superseded, every version (that had begun by as_of); else only the one in force then
    if (!validity.includeSuperseded()) {
      parts.add(validity.asOf() == null ? "m.valid_to is null" : "(m.valid_to is null or m.valid_to > " + at + ")");
    }
    return parts.isEmpty() ? "true" : String.join(" and ", parts);
  }
}
