package dev.engram.http.memory;

import dev.engram.embed.EmbedClient;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Json;
import dev.engram.kernel.Times;
import dev.engram.store.MemoryClient;
import dev.engram.store.MemoryProtocol.Entity;
import dev.engram.store.MemoryProtocol.Scope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Mem0 platform's routes on one memory ({@code /v1/memories/{id}/}: get, update, delete, history), on several
 * (delete by ids, {@code /v1/batch/} update and delete) and on entities ({@code /v1/entities/}: the Mem0 user, agent
 * and run ids that hold memories, and deleting one's memories). Another user's memory id is 404 everywhere.
 */
public final class PlatformMemoryRoutes {
  static final int MAX_BATCH = 1_000;
  private static final Set<String> ENTITY_TYPES = Set.of("user", "agent", "run");

  private final MemoryClient store;
  private final EmbedClient embedder;
  private final String embeddingModel;

  public PlatformMemoryRoutes(MemoryClient store, EmbedClient embedder, String embeddingModel) {
    this.store = store;
    this.embedder = embedder;
    this.embeddingModel = embeddingModel;
  }

  public void mount(RouteTable router) {
    router.delete("/v1/memories").handler(this::deleteAll);
    router.get("/v1/memories/:memory_id/history").handler(ctx -> MemoryRoutes.history(store, ctx));
    router.get("/v1/memories/:memory_id").handler(this::get);
    router.put("/v1/memories/:memory_id").handler(this::update);
    router.delete("/v1/memories/:memory_id").handler(this::delete);
    router.put("/v1/batch").handler(this::batchUpdate);
    router.delete("/v1/batch").handler(this::batchDelete);
    router.get("/v1/entities").handler(this::entities);
    router.delete("/v1/entities/:entity_type/:entity_id").handler(this::deleteEntity);
    router.delete("/v2/entities/:entity_type/:entity_id").handler(this::deleteEntity);
  }

  private void get(RoutingContext ctx) {
    store.get(Authenticator.user(ctx), ctx.pathParam("memory_id"))
        .onSuccess(m -> Responses.json(ctx, 200, MemoryViews.item(m, MemoryViews.Score.ABSENT, 0)))
        .onFailure(ctx::fail);
  }

  /**
   * Text (re-embedded), metadata (merged) and/or expiration_date (null removes it); answers the memory as it is now.
   */
  private void update(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String text = Bodies.optionalString(body, "text");
    Map<String, Object> metadata = Json.plainMap(Bodies.optionalObject(body, "metadata"));
    Instant expires = MemoryRoutes.expirationDate(body);
    // the platform's "expiration_date": null makes the memory permanent again
    boolean clearExpiration = body.containsKey("expiration_date") && body.getValue("expiration_date") == null;
    if (text == null && metadata == null && expires == null && !clearExpiration) {
      throw Bodies.invalid("give text, metadata and/or expiration_date (a date, or null to remove it) to update");
    }
    if (text != null && text.isBlank()) {
      throw Bodies.invalid("text must not be empty");
    }
    MemoryRoutes.edit(store, embedder, embeddingModel, Authenticator.user(ctx), ctx.pathParam("memory_id"), text,
            metadata, expires, clearExpiration)
        .onSuccess(m -> Responses.json(ctx, 200, MemoryViews.item(m, MemoryViews.Score.ABSENT, 0)))
        .onFailure(ctx::fail);
  }

  /** The memory with its earlier versions ({@code delete_linked} is read; the versions always go with it). */
  private void delete(RoutingContext ctx) {
    Bodies.boolParam(ctx, "delete_linked", false);
    store.delete(Authenticator.user(ctx), ctx.pathParam("memory_id"))
        .onSuccess(d -> Responses.json(ctx, 200, new JsonObject().put("message", "Memory deleted successfully!")))
        .onFailure(ctx::fail);
  }

  /** DELETE /v1/memories/?user_id=...: every memory of the ids given; {@code *} stands for any value of that id. */
  private void deleteAll(RoutingContext ctx) {
    String user = wildcard(ctx.queryParams().get("user_id"));
    String agent = wildcard(ctx.queryParams().get("agent_id"));
    String run = wildcard(ctx.queryParams().get("run_id"));
    if (!ctx.queryParams().contains("user_id") && !ctx.queryParams().contains("agent_id")
        && !ctx.queryParams().contains("run_id")) {
      throw ApiException.badRequest("At least one of user_id, agent_id or run_id is required (* for any)");
    }
    Scope scope = new Scope(user, agent, run);
    if (!scope.isEmpty()) {
      MemoryRoutes.checkIds(scope, "run_id", MemoryRoutes.IDS_REQUIRED);
    }
    store.deleteAll(Authenticator.user(ctx), scope)
        .onSuccess(n -> Responses.json(ctx, 200, new JsonObject().put("message", "Memories deleted successfully!")
            .put("deleted", n)))
        .onFailure(ctx::fail);
  }

  /**
   * PUT /v1/batch/ {"memories": [{"memory_id", "text"?, "metadata"?}]}: every id is checked (the caller's, once)
   * before anything changes, so a bad or foreign id changes nothing.
   */
  private void batchUpdate(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    List<JsonObject> entries = batch(body);
    for (int i = 0; i < entries.size(); i++) {
      JsonObject e = entries.get(i);
      String text = Bodies.optionalString(e, "text");
      if (text != null && text.isBlank()) {
        throw Bodies.invalid("memories[" + i + "].text must not be empty");
      }
      JsonObject metadata = Bodies.optionalObject(e, "metadata");
      if (text == null && metadata == null) {
        throw Bodies.invalid("memories[" + i + "] needs text and/or metadata");
      }
    }
    String user = Authenticator.user(ctx);
    checkAll(user, entries).compose(v -> {
      Future<Void> chain = Future.succeededFuture();
      for (JsonObject e : entries) {
        String text = e.getString("text");
        Map<String, Object> metadata = Json.plainMap(e.getJsonObject("metadata"));
        chain = chain.compose(x -> text == null ? Future.<float[]>succeededFuture(null) : embedder.embed(text))
            .compose(vector -> store.update(user, e.getString("memory_id"), text, vector, metadata, embeddingModel,
                null))
            .mapEmpty();
      }
      return chain;
    }).onSuccess(v -> Responses.json(ctx, 200, new JsonObject()
            .put("message", "Successfully updated " + entries.size() + " memories")))
        .onFailure(ctx::fail);
  }

  /** DELETE /v1/batch/ {"memories": [{"memory_id"}]}: every id is checked before any is deleted. */
  private void batchDelete(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    List<JsonObject> entries = batch(body);
    String user = Authenticator.user(ctx);
    checkAll(user, entries).compose(v -> {
      Future<Void> chain = Future.succeededFuture();
      for (JsonObject e : entries) {
        chain = chain.compose(x -> store.delete(user, e.getString("memory_id"))).mapEmpty();
      }
      return chain;
    }).onSuccess(v -> Responses.json(ctx, 200, new JsonObject()
            .put("message", "Successfully deleted " + entries.size() + " memories")))
        .onFailure(ctx::fail);
  }

  /** GET /v1/entities/: the user, agent and run ids that hold current memories, oldest first, in numbered pages. */
  private void entities(RoutingContext ctx) {
    int page = Bodies.intParam(ctx, "page", 1, 1, Integer.MAX_VALUE);
    int size = Bodies.intParam(ctx, "page_size", PlatformRoutes.DEFAULT_PAGE_SIZE, 1, PlatformRoutes.MAX_PAGE_SIZE);
    store.entities(Authenticator.user(ctx)).onSuccess(all -> {
      long from = Math.min((long) (page - 1) * size, all.size());
      List<Entity> shown = all.subList((int) from, (int) Math.min(from + size, all.size()));
      Responses.json(ctx, 200, new JsonObject().put("count", all.size())
          .put("next", from + size < all.size() ? PlatformRoutes.pageUrl(ctx, page + 1, size) : null)
          .put("previous", page > 1 ? PlatformRoutes.pageUrl(ctx, page - 1, size) : null)
          .put("results", new JsonArray(shown.stream().map(PlatformMemoryRoutes::entity).toList()))
          .put("total_users", all.stream().filter(e -> e.type().equals("user")).count())
          .put("total_agents", all.stream().filter(e -> e.type().equals("agent")).count())
          .put("total_apps", 0)
          .put("total_runs", all.stream().filter(e -> e.type().equals("run")).count()));
    }).onFailure(ctx::fail);
  }

  /** DELETE /v1|v2/entities/{type}/{id}/: every memory of that user, agent or run id (none is not an error). */
  private void deleteEntity(RoutingContext ctx) {
    String type = ctx.pathParam("entity_type");
    String name = ctx.pathParam("entity_id");
    if (!ENTITY_TYPES.contains(type)) {
      throw ApiException.badRequest("Invalid entity type '" + type + "': user, agent or run");
    }
    Scope scope = new Scope(type.equals("user") ? name : null, type.equals("agent") ? name : null,
        type.equals("run") ? name : null);
    MemoryRoutes.checkIds(scope, "run_id", MemoryRoutes.IDS_REQUIRED);
    store.deleteAll(Authenticator.user(ctx), scope)
        .onSuccess(n -> Responses.json(ctx, 200, new JsonObject().put("message", "Entity deleted successfully.")
            .put("deleted", n)))
        .onFailure(ctx::fail);
  }

  /** The batch's entries: 1 to 1,000 objects, each with a distinct string memory_id. */
  private static List<JsonObject> batch(JsonObject body) {
    if (!(body.getValue("memories") instanceof JsonArray list) || list.isEmpty()) {
      throw Bodies.invalid("memories must be a non-empty list of {\"memory_id\": ...} objects");
    }
    if (list.size() > MAX_BATCH) {
      throw Bodies.invalid("Maximum of " + MAX_BATCH + " memories in a single request, got " + list.size());
    }
    List<JsonObject> entries = new ArrayList<>(list.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject e)) {
        throw Bodies.invalid("memories[" + i + "] must be an object with a memory_id");
      }
      String id = Bodies.optionalString(e, "memory_id");
      if (id == null || id.isBlank()) {
        throw Bodies.invalid("memories[" + i + "].memory_id is required");
      }
      if (!seen.add(id)) {
        throw Bodies.invalid("memories[" + i + "].memory_id " + id + " is given twice");
      }
      entries.add(e);
    }
    return entries;
  }

  /** Fails with the first id that is not one of the caller's memories (404), before any change. */
  private Future<Void> checkAll(String user, List<JsonObject> entries) {
    Future<Void> chain = Future.succeededFuture();
    for (JsonObject e : entries) {
      chain = chain.compose(v -> store.get(user, e.getString("memory_id"))).mapEmpty();
    }
    return chain;
  }

  private static String wildcard(String id) {
    return id == null || id.equals("*") ? null : id;
  }

  private static JsonObject entity(Entity e) {
    return new JsonObject().put("id", e.name()).put("name", e.name()).put("type", e.type())
        .put("created_at", Times.iso(e.firstAt()))
        .put("updated_at", Times.iso(e.lastAt())).put("total_memories", e.memories())
        .putNull("owner").putNull("metadata");
  }
}
