package dev.engram.http.memory;

import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.memory.MemoryService;
import dev.engram.store.MemoryClient;
import dev.engram.store.MemoryProtocol.Scope;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;

/**
 * The semantic-memory chat API (seed 003): sessions and chat (its health check is http/HealthRoutes). Search is
 * Mem0's {@code POST /search}, which also takes this API's request shape (see {@link MemoryRoutes}).
 */
public final class ChatRoutes {
  private final MemoryService service;
  private final MemoryClient store;

  public ChatRoutes(MemoryService service, MemoryClient store) {
    this.service = service;
    this.store = store;
  }

  /** The seed's /health is served by http/HealthRoutes (public, with component checks). */
  public void mount(RouteTable router) {
    router.post("/sessions").handler(this::createSession);
    router.get("/sessions/:session_id").handler(this::getSession);
    router.delete("/sessions/:session_id").handler(this::deleteSession);
    router.post("/chat").handler(this::chat);
  }

  private void createSession(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    // the session's user_id becomes the scope of its messages' memories
    String userId = Bodies.bounded(Bodies.requiredString(body, "user_id"), "user_id", Scope.MAX_ID_CHARS);
    String name = Bodies.optionalString(body, "session_name");
    store.createSession(Authenticator.user(ctx), userId, name)
        .onSuccess(s -> Responses.json(ctx, 201, MemoryViews.session(s)))
        .onFailure(ctx::fail);
  }

  private void getSession(RoutingContext ctx) {
    store.session(Authenticator.user(ctx), ctx.pathParam("session_id"))
        .onSuccess(s -> Responses.json(ctx, 200, MemoryViews.session(s)))
        .onFailure(ctx::fail);
  }

  private void deleteSession(RoutingContext ctx) {
    String id = ctx.pathParam("session_id");
    store.deleteSession(Authenticator.user(ctx), id)
        .onSuccess(n -> Responses.json(ctx, 200, new JsonObject()
            .put("message", "Session " + id + " deleted successfully").put("deleted_memories", n)))
        .onFailure(ctx::fail);
  }

  private void chat(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String message = Bodies.requiredString(body, "message");
    String sessionId = Bodies.requiredString(body, "session_id");
    String userId = Bodies.requiredString(body, "user_id");
    service.chat(Authenticator.user(ctx), sessionId, userId, message)
        .onSuccess(a -> Responses.json(ctx, 200, new JsonObject().put("response", a.response())
            .put("session_id", a.sessionId()).put("relevant_context_count", a.relevantContextCount())))
        .onFailure(ctx::fail);
  }
}
