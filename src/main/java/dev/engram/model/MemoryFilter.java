package dev.engram.model;

import java.util.List;
import java.util.Map;

/**
 * Mem0's filter language over a memory's scope ids, role/actor and metadata keys: {@code {"key": value}} (equality),
 * {@code {"key": {"op": value}}} with op one of eq, ne, gt, gte, lt, lte, in, nin, contains, icontains,
 * {@code {"key": "*"}} (the key is present), and {@code AND}/{@code OR}/{@code NOT} over lists of filters. Several
 * keys in one object must all hold.
 */
public sealed interface MemoryFilter {

  enum Op {
    EQ, NE, GT, GTE, LT, LTE, IN, NIN, CONTAINS, ICONTAINS, EXISTS;

    static Op parse(String name) {
      for (Op op : values()) {
        if (op != EXISTS && op.name().equalsIgnoreCase(name)) {
          return op;
        }
      }
      throw new IllegalArgumentException("unknown filter operator '" + name
          + "' (known: eq, ne, gt, gte, lt, lte, in, nin, contains, icontains)");
    }
  }

  /** All of the parts hold. */
  record All(List<MemoryFilter> parts) implements MemoryFilter {}

  /** At least one of the parts holds. */
  record Any(List<MemoryFilter> parts) implements MemoryFilter {}

  /** The part does not hold. */
  record Not(MemoryFilter part) implements MemoryFilter {}

  /** {@code key op value}; value is a string, number, boolean, or (for in/nin) a list of those. */
  record Condition(String key, Op op, Object value) implements MemoryFilter {}

  /**
   * The most conditions (one per key and operator) a filter may have. Real filters have a handful; each one is
   * evaluated for every candidate row and binds SQL parameters (PostgreSQL takes at most 65,535), and a
   * 20,000-condition filter kept the server busy for seconds.
   */
  int MAX_CONDITIONS = 100;
  /** The most values all the {@code in}/{@code nin} lists of a filter may hold together. */
  int MAX_VALUES = 1_000;
  /** How deep AND/OR/NOT may nest; the parser stops there, so a 1,000-deep chain costs no more than this. */
  int MAX_DEPTH = 8;

  /** Parses a filters object; throws IllegalArgumentException with what is wrong (including a limit exceeded). */
  static MemoryFilter parse(Map<String, Object> filters) {
    return new MemoryFilterParser().parse(filters, 0);
  }
}
