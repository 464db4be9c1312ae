package dev.engram.http.memory;

import static dev.engram.http.PrefixedIds.AGENT;
import static dev.engram.http.PrefixedIds.prefixed;

import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.Times;
import dev.engram.store.MemoryClient;
import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryProtocol.ScopeAttachment;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Mem0 scopes attached to an agent, as sources are (on /api with POST, as its source attach; on /v1 with PATCH, as
 * Letta's folder attach): the agent's archival search then includes the scope's memories, and with
 * {@code archival_inserts} the agent's own archival inserts become memories of the scope. The body names the scope
 * as Mem0 does, {@code {"scope": {"user_id": …, "agent_id": …, "run_id": …}, "archival_inserts": false}}; every
 * route answers the agent's attachments after it ({@code {"memory_scopes": […]}} on /api, a plain list on /v1).
 */
public final class AgentScopeRoutes {
  private final MemoryClient store;

  public AgentScopeRoutes(MemoryClient store) {
    this.store = store;
  }

  public void mount(RouteTable router) {
    router.get("/api/agents/:agent_id/memory-scopes").handler(ctx -> list(ctx, false));
    router.post("/api/agents/:agent_id/memory-scopes/attach").handler(ctx -> attach(ctx, true, false));
    router.post("/api/agents/:agent_id/memory-scopes/detach").handler(ctx -> attach(ctx, false, false));
    router.get("/v1/agents/:agent_id/memory-scopes").handler(ctx -> list(ctx, true));
    router.patch("/v1/agents/:agent_id/memory-scopes/attach").handler(ctx -> attach(ctx, true, true));
    router.patch("/v1/agents/:agent_id/memory-scopes/detach").handler(ctx -> attach(ctx, false, true));
  }

  private void list(RoutingContext ctx, boolean letta) {
    answer(ctx, store.scopesOf(Authenticator.user(ctx), ctx.pathParam("agent_id")), letta);
  }

  private void attach(RoutingContext ctx, boolean attach, boolean letta) {
    JsonObject body = Bodies.object(ctx, false);
    JsonObject named = Bodies.optionalObject(body, "scope");
    if (named == null) {
      throw Bodies.invalid("scope is required: {\"user_id\": …, \"agent_id\": …, \"run_id\": …}");
    }
    Scope scope = new Scope(Bodies.optionalString(named, "user_id"), Bodies.optionalString(named, "agent_id"),
        Bodies.optionalString(named, "run_id"));
    MemoryRoutes.checkIds(scope, "run_id", MemoryRoutes.IDS_REQUIRED);
    boolean inserts = Bodies.optionalBoolean(body, "archival_inserts", false);
    answer(ctx, store.attachScope(Authenticator.user(ctx), ctx.pathParam("agent_id"), scope, inserts, attach),
        letta);
  }

  /** The attachments as /v1 lists them (a plain array, prefixed agent ids) or as /api does (wrapped, bare ids). */
  private static void answer(RoutingContext ctx, Future<List<ScopeAttachment>> attachments, boolean letta) {
    attachments.onSuccess(list -> {
      if (letta) {
        Responses.json(ctx, 200, new JsonArray(list.stream().map(a -> view(a, prefixed(AGENT, a.agentId()))).toList()));
      } else {
        Responses.json(ctx, 200, new JsonObject().put("memory_scopes",
            new JsonArray(list.stream().map(a -> view(a, a.agentId())).toList())));
      }
    }).onFailure(ctx::fail);
  }

  private static JsonObject view(ScopeAttachment a, String agentId) {
    Scope s = a.scope();
    return new JsonObject().put("agent_id", agentId)
        .put("scope", new JsonObject().put("user_id", s.user()).put("agent_id", s.agent()).put("run_id", s.run()))
        .put("archival_inserts", a.archivalInserts()).put("attached_at", Times.iso(a.attachedAt()));
  }
}
