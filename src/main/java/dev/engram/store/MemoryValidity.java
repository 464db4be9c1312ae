package dev.engram.store;

import dev.engram.store.MemoryProtocol.Validity;
import java.time.ZoneOffset;
import java.util.List;

/** The SQL condition (on {@code memories m}) that keeps the versions of facts a {@link Validity} asks for. */
final class MemoryValidity {
  /** Facts that hold now. */
  static final String CURRENT = "m.valid_to is null and (m.expiration_date is null or m.expiration_date > now())";
  private static final String NOT_EXPIRED = "(m.expiration_date is null or m.expiration_date > now())";

  private MemoryValidity() {}

  /** The condition; an instant it needs is appended to {@code params} and referred to by its position. */
  static String sql(Validity validity, List<Object> params) {
    if (validity == null || validity.current()) {
      return CURRENT;
    }
    if (validity.asOf() == null) {
      return NOT_EXPIRED;
    }
    params.add(validity.asOf().atOffset(ZoneOffset.UTC));
    String at = "$" + params.size();
    String held = "m.valid_from <= " + at + " and (m.expiration_date is null or m.expiration_date > " + at + ")";
    // with include_superseded, every version that had begun by then; else only the one in force then
    return validity.includeSuperseded() ? held : held + " and (m.valid_to is null or m.valid_to > " + at + ")";
  }
}
