package dev.engram.http.letta;

import dev.engram.http.PrefixedIds;
import dev.engram.http.memory.PlatformRoutes;
import io.vertx.ext.web.RoutingContext;

/**
 * What the Letta SDK's requests need before routing (letta-v1.md §1.1): its list and create paths end in a slash
 * ({@code /v1/agents/}) while single objects do not, so one trailing slash on {@code /v1/...} is dropped; and its ids
 * are prefixed ({@code agent-<uuid>}), so the prefixed ids in the path or the query of {@code /api} and {@code /v1}
 * are made bare where they are of the kind their place expects ({@link PrefixedIds}). Both
 * rewrites re-route the request once; the handlers and the agent verticle only ever see bare UUIDs. The Mem0 platform
 * paths under {@code /v1}, {@code /v2} and {@code /v3} ({@link PlatformRoutes#owns}) lose their slash only.
 */
public final class LettaTransport {
  private LettaTransport() {}

  public static void normalize(RoutingContext ctx) {
    String path = ctx.request().path();
    String query = ctx.request().query();
    if (PlatformRoutes.owns(path)) {
      // Mem0's platform paths end in a slash too, but its ids are the caller's own (an agent_id "agent-<uuid>" is
      // a name, not a Letta id), so only the slash goes
      if (path.length() > 4 && path.endsWith("/")) {
        ctx.reroute(query == null || query.isEmpty() ? path.substring(0, path.length() - 1)
            : path.substring(0, path.length() - 1) + "?" + query);
      } else {
        ctx.next();
      }
      return;
    }
    String newPath = PrefixedIds.barePath(path);
    if (newPath.length() > 4 && newPath.startsWith("/v1/") && newPath.endsWith("/")) {
      newPath = newPath.substring(0, newPath.length() - 1);
    }
    String newQuery = PrefixedIds.bareQuery(path, query);
    if (newPath.equals(path) && (newQuery == null || newQuery.equals(query))) {
      ctx.next();
      return;
    }
    ctx.reroute(newQuery == null || newQuery.isEmpty() ? newPath : newPath + "?" + newQuery);
  }
}
