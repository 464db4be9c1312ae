package dev.engram.http.letta;

import dev.engram.http.PrefixedIds;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Letta's pager over messages where several messages share one id (the parts of one stored message, letta-v1.md
 * §1.7): cursors are those ids, so a page holds whole groups. It is filled with groups until it has {@code limit}
 * messages or more (a group is never split, so a page may hold a few more) and ends at a group boundary; the next
 * page starts after the last group's id.
 */
final class GroupPaging {
  private GroupPaging() {}

  /** One page of {@code groups} (oldest first, each non-empty and sharing an {@code id}), as {@code paging} asks. */
  static List<JsonObject> page(List<List<JsonObject>> groups, Paging paging) {
    List<List<JsonObject>> ordered = new ArrayList<>(groups);
    if (!paging.ascending()) {
      Collections.reverse(ordered);
    }
    int from = 0;
    int to = ordered.size();
    if (paging.after() != null) {
      from = indexOf(ordered, paging.after()) + 1;
      if (from == 0) {
        return List.of();
      }
    }
    if (paging.before() != null) {
      to = indexOf(ordered, paging.before());
      if (to < 0) {
        return List.of();
      }
    }
    List<List<JsonObject>> window = from < to ? ordered.subList(from, to) : List.of();
    boolean nearEnd = paging.before() != null && paging.after() == null;
    List<List<JsonObject>> taken = new ArrayList<>();
    int items = 0;
    for (int i = 0; i < window.size() && items < paging.limit(); i++) {
      List<JsonObject> group = window.get(nearEnd ? window.size() - 1 - i : i);
      taken.add(group);
      items += group.size();
    }
    if (nearEnd) {
      Collections.reverse(taken);
    }
    List<JsonObject> out = new ArrayList<>(items);
    taken.forEach(out::addAll);
    return out;
  }

  /** {@code messages} in order, cut into runs of consecutive messages with the same {@code id}. */
  static List<List<JsonObject>> byId(List<JsonObject> messages) {
    List<List<JsonObject>> groups = new ArrayList<>();
    for (JsonObject m : messages) {
      if (groups.isEmpty() || !id(groups.get(groups.size() - 1).get(0)).equals(id(m))) {
        groups.add(new ArrayList<>());
      }
      groups.get(groups.size() - 1).add(m);
    }
    return groups;
  }

  private static int indexOf(List<List<JsonObject>> groups, String bareId) {
    for (int i = 0; i < groups.size(); i++) {
      if (PrefixedIds.bare(id(groups.get(i).get(0))).equals(bareId)) {
        return i;
      }
    }
    return -1;
  }

  private static String id(JsonObject message) {
    return String.valueOf(message.getString("id"));
  }
}
