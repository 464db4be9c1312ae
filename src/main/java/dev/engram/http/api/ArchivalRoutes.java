package dev.engram.http.api;

import dev.engram.agent.ArchivalHit;
import dev.engram.agent.ArchivalMemory;
import dev.engram.http.ArchivalHitViews;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.model.Memory;
import dev.engram.model.Passage;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.ArchivalItem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/**
 * An agent's archival memory: list (cursor ids), search (?query=, hybrid by default), insert (chunked), delete.
 * Listings and searches include the passages of the sources attached to the agent and the current memories of the Mem0
 * scopes attached to it; each item names its provenance.
 */
public final class ArchivalRoutes {
  private static final int ALL_LIMIT = 100_000;

  private final ArchivalMemory archival;
  private final ArchivalClient store;

  public ArchivalRoutes(ArchivalMemory archival, ArchivalClient store) {
    this.archival = archival;
    this.store = store;
  }

  public void mount(RouteTable router) {
    router.get("/api/agents/:agent_id/archival/all").handler(this::all);
    router.get("/api/agents/:agent_id/archival").handler(this::listOrSearch);
    router.post("/api/agents/:agent_id/archival").handler(this::insert);
    router.delete("/api/agents/:agent_id/archival").handler(this::delete);
  }

  private void all(RoutingContext ctx) {
    String user = Authenticator.user(ctx);
    store.list(user, ctx.pathParam("agent_id"), null, null, ALL_LIMIT)
        .onSuccess(items -> Responses.json(ctx, 200, passages(listed(items, user))))
        .onFailure(ctx::fail);
  }

  private void listOrSearch(RoutingContext ctx) {
    String query = ctx.queryParams().get("query");
    if (query != null) {
      search(ctx, query);
      return;
    }
    String after = ctx.queryParams().get("after");
    String before = ctx.queryParams().get("before");
    if (after != null && before != null) {
      throw Bodies.invalid("give either after or before, not both");
    }
    int limit = Bodies.intParam(ctx, "limit", 100, 1, 10_000);
    String user = Authenticator.user(ctx);
    store.list(user, ctx.pathParam("agent_id"), after, before, limit)
        .onSuccess(items -> Responses.json(ctx, 200, passages(listed(items, user))))
        .onFailure(ctx::fail);
  }

  private void search(RoutingContext ctx, String query) {
    if (query.isBlank()) {
      throw Bodies.invalid("query must not be empty");
    }
    int limit = Bodies.intParam(ctx, "limit", 10, 1, ArchivalMemory.SEARCH_DEPTH);
    SearchMode mode;
    try {
      String raw = ctx.queryParams().get("mode");
      mode = raw == null ? SearchMode.HYBRID : SearchMode.parse(raw);
    } catch (IllegalArgumentException e) {
      throw Bodies.invalid(e.getMessage());
    }
    String user = Authenticator.user(ctx);
    archival.search(user, ctx.pathParam("agent_id"), query, mode, limit)
        .onSuccess(found -> Responses.json(ctx, 200, passages(scored(found, user))))
        .onFailure(ctx::fail);
  }

  private void insert(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String content = Bodies.requiredString(body, "content");
    if (content.isBlank()) {
      throw Bodies.invalid("content must not be empty");
    }
    archival.insert(Authenticator.user(ctx), ctx.pathParam("agent_id"), content, Map.of())
        .onSuccess(ids -> Responses.json(ctx, 200, new JsonObject().put("ids", new JsonArray(ids))))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String id = Bodies.requiredParam(ctx, "id");
    store.delete(Authenticator.user(ctx), ctx.pathParam("agent_id"), id)
        .onSuccess(d -> Responses.json(ctx, 200,
            new JsonObject().put("message", "Memory id=" + id + " successfully deleted")))
        .onFailure(ctx::fail);
  }

  /** Search hits with their score and provenance. */
  private static List<JsonObject> scored(List<ArchivalHit> found, String userId) {
    return found.stream().map(hit -> item(hit, userId).put("score", hit.score())).toList();
  }

  private static List<JsonObject> listed(List<ArchivalItem> items, String userId) {
    return items.stream().map(i -> item(i.passage(), i.memory(), userId)).toList();
  }

  private static JsonObject item(ArchivalHit hit, String userId) {
    return item(hit.passage(), hit.memory(), userId);
  }

  /** A passage, or (passage null) a memory of an attached Mem0 scope in the passage shape, with its provenance. */
  private static JsonObject item(Passage passage, Memory memory, String userId) {
    return passage != null ? ArchivalViews.passage(passage).put("provenance", ArchivalHitViews.passage(passage))
        : ArchivalViews.memory(memory, userId).put("provenance", ArchivalHitViews.memory(memory));
  }

  private static JsonObject passages(List<JsonObject> items) {
    return new JsonObject().put("archival_memory", new JsonArray(items));
  }
}
