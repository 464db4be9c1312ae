package dev.engram.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

  /** Parses a filters object; throws IllegalArgumentException with what is wrong. */
  static MemoryFilter parse(Map<String, Object> filters) {
    List<MemoryFilter> parts = new ArrayList<>();
    for (var entry : filters.entrySet()) {
      String key = entry.getKey();
      Object value = entry.getValue();
      switch (key.toUpperCase(Locale.ROOT)) {
        case "AND", "$AND" -> parts.add(new All(list(key, value)));
        case "OR", "$OR" -> parts.add(new Any(list(key, value)));
        case "NOT", "$NOT" -> parts.add(new Not(new All(list(key, value))));
        default -> parts.add(condition(key, value));
      }
    }
    return parts.size() == 1 ? parts.get(0) : new All(parts);
  }

  private static List<MemoryFilter> list(String key, Object value) {
    List<?> items = value instanceof List<?> l ? l : value instanceof Map<?, ?> ? List.of(value) : null;
    if (items == null || items.isEmpty()) {
      throw new IllegalArgumentException(key + " takes a non-empty list of filter objects");
    }
    List<MemoryFilter> out = new ArrayList<>();
    for (Object item : items) {
      if (!(item instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException(key + " takes a list of filter objects, got " + describe(item));
      }
      out.add(parse(stringKeys(map)));
    }
    return out;
  }

  private static MemoryFilter condition(String key, Object value) {
    if (key.isBlank()) {
      throw new IllegalArgumentException("filter keys must not be empty");
    }
    if ("*".equals(value)) {
      return new Condition(key, Op.EXISTS, null);
    }
    if (!(value instanceof Map<?, ?> ops)) {
      return new Condition(key, Op.EQ, scalar(key, value));
    }
    if (ops.isEmpty()) {
      throw new IllegalArgumentException("filter on '" + key + "' has no operator");
    }
    List<MemoryFilter> conditions = new ArrayList<>();
    for (var op : stringKeys(ops).entrySet()) {
      Op parsed = Op.parse(op.getKey());
      Object operand = op.getValue();
      if (parsed == Op.IN || parsed == Op.NIN) {
        if (!(operand instanceof List<?> values) || values.isEmpty()) {
          throw new IllegalArgumentException("'" + op.getKey() + "' on '" + key + "' takes a non-empty list");
        }
        values.forEach(v -> scalar(key, v));
        conditions.add(new Condition(key, parsed, List.copyOf(values)));
      } else if (parsed == Op.CONTAINS || parsed == Op.ICONTAINS) {
        if (!(operand instanceof String)) {
          throw new IllegalArgumentException("'" + op.getKey() + "' on '" + key + "' takes a string");
        }
        conditions.add(new Condition(key, parsed, operand));
      } else {
        conditions.add(new Condition(key, parsed, scalar(key, operand)));
      }
    }
    return conditions.size() == 1 ? conditions.get(0) : new All(conditions);
  }

  private static Object scalar(String key, Object value) {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    throw new IllegalArgumentException("filter value for '" + key + "' must be a string, number or boolean, got "
        + describe(value));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  private static String describe(Object value) {
    return value == null ? "null" : value instanceof List ? "a list" : value instanceof Map ? "an object"
        : value.getClass().getSimpleName();
  }
}
