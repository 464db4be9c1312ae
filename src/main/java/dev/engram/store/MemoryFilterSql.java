package dev.engram.store;

import dev.engram.model.MemoryFilter;
import dev.engram.model.MemoryFilter.All;
import dev.engram.model.MemoryFilter.Any;
import dev.engram.model.MemoryFilter.Condition;
import dev.engram.model.MemoryFilter.Not;
import io.vertx.core.json.Json;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Compiles a {@link MemoryFilter} to a SQL condition over the {@code memories} row aliased {@code m}. Every key is
 * compared as jsonb: Mem0's ids, role, actor and memory type as their columns, any other key as the metadata value.
 * Values are bound as parameters (never spliced into the SQL), appended to {@code params}.
 */
final class MemoryFilterSql {
  private static final Map<String, String> COLUMNS = Map.of(
      "user_id", "m.scope_user", "agent_id", "m.scope_agent", "run_id", "m.scope_run", "actor_id", "m.actor_id",
      "role", "m.role", "memory_type", "m.memory_type");

  private final List<Object> params;

  private MemoryFilterSql(List<Object> params) {
    this.params = params;
  }

  /** The condition; its parameters are appended to {@code params} (numbered after those already there). */
  static String compile(MemoryFilter filter, List<Object> params) {
    return new MemoryFilterSql(params).sql(filter);
  }

  private String sql(MemoryFilter filter) {
    if (filter instanceof All all) {
      return all.parts().stream().map(this::sql).collect(Collectors.joining(" and ", "(", ")"));
    }
    if (filter instanceof Any any) {
      return any.parts().stream().map(this::sql).collect(Collectors.joining(" or ", "(", ")"));
    }
    if (filter instanceof Not not) {
      return "(not coalesce(" + sql(not.part()) + ", false))";
    }
    return condition((Condition) filter);
  }

  private String condition(Condition c) {
    String x = key(c.key());
    return switch (c.op()) {
      case EXISTS -> "(" + x + " is not null and " + x + " <> 'null'::jsonb)";
      case EQ -> "coalesce(" + x + " = " + json(c.value()) + ", false)";
      case NE -> "(" + x + " is distinct from " + json(c.value()) + ")";
      case GT -> ordered(x, ">", c.value());
      case GTE -> ordered(x, ">=", c.value());
      case LT -> ordered(x, "<", c.value());
      case LTE -> ordered(x, "<=", c.value());
      case IN -> "coalesce(" + x + " in (select jsonb_array_elements(" + json(c.value()) + ")), false)";
      case NIN -> "(not coalesce(" + x + " in (select jsonb_array_elements(" + json(c.value()) + ")), false))";
      case CONTAINS -> contains(x, c.value(), false);
      case ICONTAINS -> contains(x, c.value(), true);
    };
  }

  /** Comparisons only between values of one JSON type (numbers numerically, strings by text). */
  private String ordered(String x, String op, Object value) {
    String v = json(value);
    return "coalesce(jsonb_typeof(" + x + ") = jsonb_typeof(" + v + ") and " + x + " " + op + " " + v + ", false)";
  }

  /** Substring of a string value, or an element of an array value. */
  private String contains(String x, Object value, boolean ignoreCase) {
    String v = text((String) value);
    String inString = ignoreCase
        ? "strpos(lower(" + x + " #>> '{}'), lower(" + v + ")) > 0"
        : "strpos(" + x + " #>> '{}', " + v + ") > 0";
    String inArray = ignoreCase
        ? "exists (select 1 from jsonb_array_elements_text(" + x + ") e where lower(e) = lower(" + v + "))"
        : x + " @> jsonb_build_array(" + v + ")";
    return "coalesce(case jsonb_typeof(" + x + ") when 'string' then " + inString + " when 'array' then " + inArray
        + " else false end, false)";
  }

  private String key(String key) {
    String column = COLUMNS.get(key);
    return column != null ? "to_jsonb(" + column + ")" : "(m.metadata -> " + text(key) + ")";
  }

  private String json(Object value) {
    params.add(Json.encode(value));
    return "($" + params.size() + "::text)::jsonb";
  }

  private String text(String value) {
    params.add(value);
    return "$" + params.size() + "::text";
  }
}
