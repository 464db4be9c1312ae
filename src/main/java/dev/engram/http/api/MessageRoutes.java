package dev.engram.http.api;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.Step;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.CollectedRun;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.http.RunRelay;
import dev.engram.http.SseSink;
import dev.engram.store.StoreClient;
import dev.engram.store.StoreProtocol.Messages;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;

/** Sending messages (JSON or SSE) and reading recall: /messages, /messages-cursor and /recall (search). */
public final class MessageRoutes {
  private final AgentClient agents;
  private final StoreClient store;

  public MessageRoutes(AgentClient agents, StoreClient store) {
    this.agents = agents;
    this.store = store;
  }

  public void mount(RouteTable router) {
    router.post("/api/agents/:agent_id/messages").handler(this::send);
    router.get("/api/agents/:agent_id/messages").handler(this::page);
    router.get("/api/agents/:agent_id/messages-cursor").handler(this::cursor);
    router.get("/api/agents/:agent_id/recall").handler(this::search);
  }

  /** Parses and checks a message body shared by HTTP and WebSocket sends. */
  static Step parseStep(JsonObject body, String userId, String agentId) {
    String message = Bodies.optionalString(body, "message");
    if (message == null || message.isBlank()) {
      throw Bodies.invalid("message is required and must be a non-empty string");
    }
    String role = Bodies.optionalString(body, "role");
    role = role == null ? "user" : role;
    if (!role.equals("user") && !role.equals("system")) {
      throw Bodies.invalid("role must be \"user\" or \"system\", got \"" + role + "\"");
    }
    // run ids are time-ordered: run lists page by id
    return new Step(UuidCreator.getTimeOrderedEpoch().toString(), userId, agentId, role, message);
  }

  private void send(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    boolean stream = Bodies.optionalBoolean(body, "stream", false) || Bodies.optionalBoolean(body, "stream_steps",
        false);
    Step step = parseStep(body, Authenticator.user(ctx), ctx.pathParam("agent_id"));
    if (!stream) {
      RunRelay.start(ctx.vertx(), agents, step, new CollectedRun(ctx, (events, end) -> {
        JsonArray messages = new JsonArray();
        events.forEach(e -> messages.add(ApiEvents.toJson(e)));
        return new JsonObject().put("messages", messages).put("usage", Views.usage(end.usage(), end.stepCount()));
      }));
      return;
    }
    SseSink sink = new SseSink(ctx, ApiEvents::toJson);
    RunRelay relay = RunRelay.start(ctx.vertx(), agents, step, sink);
    sink.onDrop(relay::detach);
    ctx.response().closeHandler(v -> {
      relay.detach();
      sink.cancelTimers();
    });
  }

  private void page(RoutingContext ctx) {
    int start = Bodies.intParam(ctx, "start", 0, 0, Integer.MAX_VALUE);
    int count = Bodies.intParam(ctx, "count", 10, 1, 1000);
    store.pageMessages(Authenticator.user(ctx), ctx.pathParam("agent_id"), start, count)
        .onSuccess(found -> Responses.json(ctx, 200, new JsonObject().put("messages", render(found, true))))
        .onFailure(ctx::fail);
  }

  private void cursor(RoutingContext ctx) {
    int limit = Bodies.intParam(ctx, "limit", 10, 1, 1000);
    store.cursorMessages(Authenticator.user(ctx), ctx.pathParam("agent_id"), ctx.queryParams().get("before"),
            ctx.queryParams().get("after"), limit)
        .onSuccess(found -> Responses.json(ctx, 200, new JsonObject().put("messages", render(found, false))))
        .onFailure(ctx::fail);
  }

  /**
   * Recall search, as the agent's conversation_search runs it (BM25 over its past messages, a substring match when
   * that finds nothing), best first: {@code ?query=&limit=}.
   */
  private void search(RoutingContext ctx) {
    String query = ctx.queryParams().get("query");
    if (query == null || query.isBlank()) {
      throw Bodies.invalid("query is required and must be a non-empty string");
    }
    int limit = Bodies.intParam(ctx, "limit", 20, 1, 100);
    String agentId = ctx.pathParam("agent_id");
    agents.get(Authenticator.user(ctx), agentId)
        .compose(owned -> store.searchMessages(agentId, null, query, null, null, 0, limit))
        .onSuccess(found -> Responses.json(ctx, 200, new JsonObject().put("messages", render(found, false))))
        .onFailure(ctx::fail);
  }

  private static JsonArray render(Messages found, boolean withContextFlag) {
    JsonArray out = new JsonArray();
    found.messages().forEach(m -> {
      JsonObject json = Views.message(m);
      if (withContextFlag) {
        json.put("in_context", found.inContext().contains(m.id()));
      }
      out.add(json);
    });
    return out;
  }
}
