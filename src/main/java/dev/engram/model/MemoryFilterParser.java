package dev.engram.model;

import dev.engram.model.MemoryFilter.All;
import dev.engram.model.MemoryFilter.Any;
import dev.engram.model.MemoryFilter.Condition;
import dev.engram.model.MemoryFilter.Not;
import dev.engram.model.MemoryFilter.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One parse of a filters object. It counts the conditions and values read so far and the nesting depth, and stops
 * at the first limit of {@link MemoryFilter} exceeded: its recursion is never deeper than
 * {@link MemoryFilter#MAX_DEPTH}, however deep the JSON.
 */
final class MemoryFilterParser {
  private int conditions;
  private int values;

  MemoryFilter parse(Map<String, Object> filters, int depth) {
    if (filters.isEmpty()) {
      throw new IllegalArgumentException("a filter object must not be empty");
    }
    List<MemoryFilter> parts = new ArrayList<>();
    for (var entry : filters.entrySet()) {
      String key = entry.getKey();
      Object value = entry.getValue();
      switch (key.toUpperCase(Locale.ROOT)) {
        case "AND", "$AND" -> parts.add(new All(list(key, value, depth + 1)));
        case "OR", "$OR" -> parts.add(new Any(list(key, value, depth + 1)));
        case "NOT", "$NOT" -> parts.add(new Not(new All(list(key, value, depth + 1))));
        default -> parts.add(condition(key, value));
      }
    }
    return parts.size() == 1 ? parts.get(0) : new All(parts);
  }

  private List<MemoryFilter> list(String key, Object value, int depth) {
    if (depth > MemoryFilter.MAX_DEPTH) {
      throw new IllegalArgumentException("AND, OR and NOT may nest at most " + MemoryFilter.MAX_DEPTH
          + " levels deep");
    }
    List<?> items = value instanceof List<?> l ? l : value instanceof Map<?, ?> ? List.of(value) : null;
    if (items == null || items.isEmpty()) {
      throw new IllegalArgumentException(key + " takes a non-empty list of filter objects");
    }
    List<MemoryFilter> out = new ArrayList<>();
    for (Object item : items) {
      if (!(item instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException(key + " takes a list of filter objects, got " + describe(item));
      }
      out.add(parse(stringKeys(map), depth));
    }
    return out;
  }

  private MemoryFilter condition(String key, Object value) {
    if (key.isBlank()) {
      throw new IllegalArgumentException("filter keys must not be empty");
    }
    if ("*".equals(value)) {
      return counted(new Condition(key, Op.EXISTS, null));
    }
    if (!(value instanceof Map<?, ?> ops)) {
      return counted(new Condition(key, Op.EQ, scalar(key, value)));
    }
    if (ops.isEmpty()) {
      throw new IllegalArgumentException("filter on '" + key + "' has no operator");
    }
    List<MemoryFilter> conditions = new ArrayList<>();
    for (var op : stringKeys(ops).entrySet()) {
      Op parsed = Op.parse(op.getKey());
      Object operand = op.getValue();
      if (parsed == Op.IN || parsed == Op.NIN) {
        if (!(operand instanceof List<?> list) || list.isEmpty()) {
          throw new IllegalArgumentException("'" + op.getKey() + "' on '" + key + "' takes a non-empty list");
        }
        values += list.size();
        if (values > MemoryFilter.MAX_VALUES) {
          throw new IllegalArgumentException("the in/nin lists of a filter may hold at most "
              + MemoryFilter.MAX_VALUES + " values in all");
        }
        list.forEach(v -> scalar(key, v));
        conditions.add(counted(new Condition(key, parsed, List.copyOf(list))));
      } else if (parsed == Op.CONTAINS || parsed == Op.ICONTAINS) {
        if (!(operand instanceof String)) {
          throw new IllegalArgumentException("'" + op.getKey() + "' on '" + key + "' takes a string");
        }
        conditions.add(counted(new Condition(key, parsed, operand)));
      } else {
        conditions.add(counted(new Condition(key, parsed, scalar(key, operand))));
      }
    }
    return conditions.size() == 1 ? conditions.get(0) : new All(conditions);
  }

  private Condition counted(Condition c) {
    if (++conditions > MemoryFilter.MAX_CONDITIONS) {
      throw new IllegalArgumentException("a filter may have at most " + MemoryFilter.MAX_CONDITIONS
          + " conditions");
    }
    return c;
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
