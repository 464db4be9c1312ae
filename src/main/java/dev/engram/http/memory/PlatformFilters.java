package dev.engram.http.memory;

import dev.engram.http.Bodies;
import dev.engram.kernel.ApiException;
import dev.engram.model.MemoryFilter;
import dev.engram.store.MemoryProtocol.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Mem0 platform's {@code filters} (v2/v3 search and listing): entity ids live inside them, at the top or in a
 * top-level {@code AND}. Plain ids there become the query's scope (so the store looks only at those scopes); every
 * other condition, {@code "*"} wildcards and ids under {@code OR}/{@code NOT} included, stays a filter. As on the
 * platform, the filters must name at least one entity id somewhere.
 */
final class PlatformFilters {
  static final String ENTITY_REQUIRED =
      "filters must name at least one of user_id, agent_id, app_id or run_id, e.g. {\"user_id\": \"alice\"}";
  private static final Set<String> SCOPE_KEYS = Set.of("user_id", "agent_id", "run_id");
  private static final Set<String> ENTITY_KEYS = Set.of("user_id", "agent_id", "run_id", "app_id");
  private static final String WILDCARD = "*";

  private PlatformFilters() {}

  /** The scope the filters pin down and what remains of them (null when nothing does). */
  record Parsed(Scope scope, MemoryFilter filter) {}

  static Parsed parse(Map<String, Object> given) {
    if (given == null || given.isEmpty()) {
      throw ApiException.badRequest("filters is required: " + ENTITY_REQUIRED);
    }
    if (!mentionsEntity(given)) {
      throw ApiException.badRequest(ENTITY_REQUIRED);
    }
    Map<String, Object> rest = new LinkedHashMap<>(given);
    Map<String, String> ids = new LinkedHashMap<>();
    for (String key : SCOPE_KEYS) {
      if (rest.get(key) instanceof String id && !WILDCARD.equals(id)) {
        ids.put(key, id);
        rest.remove(key);
      }
    }
    if (rest.get("AND") instanceof List<?> all) {
      List<Object> kept = new ArrayList<>();
      for (Object part : all) {
        if (!liftedFrom(part, ids)) {
          kept.add(part);
        }
      }
      if (kept.isEmpty()) {
        rest.remove("AND");
      } else {
        rest.put("AND", kept);
      }
    }
    ids.forEach((key, id) -> {
      if (id.isBlank()) {
        throw ApiException.badRequest(key + " must not be blank: give an id or leave it out");
      }
      Bodies.bounded(id, key, Scope.MAX_ID_CHARS);
    });
    Scope scope = new Scope(ids.get("user_id"), ids.get("agent_id"), ids.get("run_id"));
    try {
      return new Parsed(scope, rest.isEmpty() ? null : MemoryFilter.parse(rest));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("Invalid filters: " + e.getMessage());
    }
  }

  /** Takes {@code {"user_id": "alice"}} (one plain id) into {@code ids}, unless another value is there already. */
  private static boolean liftedFrom(Object part, Map<String, String> ids) {
    if (!(part instanceof Map<?, ?> one) || one.size() != 1) {
      return false;
    }
    Map.Entry<?, ?> e = one.entrySet().iterator().next();
    if (!(e.getKey() instanceof String key) || !SCOPE_KEYS.contains(key) || !(e.getValue() instanceof String id)
        || WILDCARD.equals(id)) {
      return false;
    }
    String before = ids.putIfAbsent(key, id);
    return before == null || before.equals(id); // two different ids stay a filter, which nothing matches
  }

  private static boolean mentionsEntity(Object node) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (ENTITY_KEYS.contains(e.getKey()) || mentionsEntity(e.getValue())) {
          return true;
        }
      }
    } else if (node instanceof List<?> list) {
      for (Object item : list) {
        if (mentionsEntity(item)) {
          return true;
        }
      }
    }
    return false;
  }
}
