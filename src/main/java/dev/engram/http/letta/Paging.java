package dev.engram.http.letta;

import dev.engram.http.Bodies;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The list parameters of Letta's pager (letta-v1.md §1.7): {@code after} and {@code before} are ids (made bare by
 * {@link LettaTransport}) meaning "next / previous in this order", {@code limit}, and {@code order} {@code asc} or
 * {@code desc}. An empty value counts as absent, as the SDK sends {@code key=} for null. The SDK asks for the next
 * page until one comes back empty, so a cursor must always move forward.
 */
public record Paging(String after, String before, int limit, boolean ascending) {
  public static final int MAX_LIMIT = 1000;

  public static Paging parse(RoutingContext ctx, int defaultLimit, boolean defaultAscending) {
    String order = blankToNull(ctx.queryParams().get("order"));
    boolean ascending = defaultAscending;
    if (order != null) {
      if (!order.equals("asc") && !order.equals("desc")) {
        throw Bodies.invalid("query parameter order must be asc or desc, got '" + order + "'");
      }
      ascending = order.equals("asc");
    }
    int limit = blankToNull(ctx.queryParams().get("limit")) == null ? defaultLimit
        : Bodies.intParam(ctx, "limit", defaultLimit, 1, MAX_LIMIT);
    return new Paging(blankToNull(ctx.queryParams().get("after")), blankToNull(ctx.queryParams().get("before")),
        limit, ascending);
  }

  /**
   * One page of {@code items} (in ascending order of creation): ordered as asked, starting after {@code after} and
   * ending before {@code before}. A cursor that names no item gives an empty page, so a pager always ends.
   */
  public <T> List<T> apply(List<T> itemsAscending, Function<T, String> id) {
    List<T> ordered = new ArrayList<>(itemsAscending);
    if (!ascending) {
      java.util.Collections.reverse(ordered);
    }
    int from = 0;
    int to = ordered.size();
    if (after != null) {
      from = indexOf(ordered, id, after) + 1;
      if (from == 0) {
        return List.of();
      }
    }
    if (before != null) {
      to = indexOf(ordered, id, before);
      if (to < 0) {
        return List.of();
      }
    }
    if (from >= to) {
      return List.of();
    }
    List<T> window = ordered.subList(from, to);
    // with only "before", the page is the items just before it
    return before != null && after == null && window.size() > limit
        ? List.copyOf(window.subList(window.size() - limit, window.size()))
        : List.copyOf(window.subList(0, Math.min(limit, window.size())));
  }

  /**
   * As {@link #apply}, but a cursor must be an id (422 otherwise) of one of the items (404 otherwise): a wrong or
   * stale cursor, or another user's id, is not taken for the end of the list. {@code what} names the items
   * ("folder").
   */
  public <T> List<T> applyKnown(List<T> itemsAscending, Function<T, String> id, String what) {
    for (String[] cursor : new String[][] {{"after", after}, {"before", before}}) {
      if (cursor[1] != null) {
        Ids.require(cursor[1], cursor[0]);
        if (indexOf(itemsAscending, id, cursor[1]) < 0) {
          throw ApiException.notFound(cursor[0] + "=" + cursor[1] + " names no " + what + " of this list");
        }
      }
    }
    return apply(itemsAscending, id);
  }

  private static <T> int indexOf(List<T> items, Function<T, String> id, String wanted) {
    for (int i = 0; i < items.size(); i++) {
      if (wanted.equals(id.apply(items.get(i)))) {
        return i;
      }
    }
    return -1;
  }

  static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
