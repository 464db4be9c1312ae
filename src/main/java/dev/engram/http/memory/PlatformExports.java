package dev.engram.http.memory;

import dev.engram.embed.EmbedClient;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Json;
import dev.engram.kernel.Times;
import dev.engram.model.Provenance;
import dev.engram.store.MemoryClient;
import dev.engram.store.MemoryProtocol.Applied;
import dev.engram.store.MemoryProtocol.Change;
import dev.engram.store.MemoryProtocol.NewMemory;
import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryProtocol.Validity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Mem0 platform's exports, and their way back in. {@code POST /v1/exports/} takes a snapshot of the memories its
 * {@code filters} match (their MemoryItems, with the {@code schema} it was given kept beside them: no model fills the
 * schema here) and {@code POST /v1/exports/get/} answers it, by id or as the latest made with the same filters.
 * {@code POST /v1/exports/import/} (ours: the platform has none) stores an export's memories again, verbatim and
 * re-embedded, in their own scopes or in the one the request names; an exact duplicate already there is skipped.
 */
public final class PlatformExports {
  static final int MAX_MEMORIES = 10_000;

  private final MemoryClient store;
  private final EmbedClient embedder;
  private final String embeddingModel;

  public PlatformExports(MemoryClient store, EmbedClient embedder, String embeddingModel) {
    this.store = store;
    this.embedder = embedder;
    this.embeddingModel = embeddingModel;
  }

  public void mount(RouteTable router) {
    router.post("/v1/exports").handler(this::create);
    router.post("/v1/exports/get").handler(this::get);
    router.post("/v1/exports/import").handler(this::importBack);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    JsonObject schema = Bodies.optionalObject(body, "schema");
    if (schema == null) {
      throw ApiException.badRequest("Schema is required and must be a valid object");
    }
    Bodies.optionalString(body, "export_instructions");
    JsonObject filtersJson = Bodies.optionalObject(body, "filters");
    Map<String, Object> filters = filtersJson == null ? null : Json.plainMap(filtersJson);
    PlatformFilters.Parsed parsed = PlatformFilters.parse(filters);
    String user = Authenticator.user(ctx);
    String id = UUID.randomUUID().toString();
    store.page(user, parsed.scope(), parsed.filter(), Validity.CURRENT, 0, MAX_MEMORIES + 1)
        .compose(found -> {
          if (found.total() > MAX_MEMORIES) {
            return Future.failedFuture(ApiException.unprocessable("an export holds at most " + MAX_MEMORIES
                + " memories and " + found.total() + " match: narrow the filters"));
          }
          JsonObject document = new JsonObject().put("id", id).put("created_at", Times.iso(Times.now()))
              .put("filters", filtersJson).put("schema", schema).put("count", found.memories().size())
              .put("memories", new JsonArray(found.memories().stream()
                  .map(m -> MemoryViews.item(m, MemoryViews.Score.ABSENT, 0)).toList()));
          return store.saveExport(user, id, filters, Json.plainMap(schema), document.getMap());
        })
        .onSuccess(doc -> Responses.json(ctx, 201, new JsonObject()
            .put("message", "Memory export request received. The export is ready.").put("id", id)))
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String id = Bodies.optionalString(body, "memory_export_id");
    JsonObject filters = Bodies.optionalObject(body, "filters");
    if (id == null && filters == null) {
      throw ApiException.badRequest("Give memory_export_id or the filters an export was made with");
    }
    store.findExport(Authenticator.user(ctx), id, id != null ? null : Json.plainMap(filters))
        .onSuccess(doc -> Responses.json(ctx, 200, new JsonObject(doc)))
        .onFailure(ctx::fail);
  }

  /** Body: an export document ({"memories": [...]}), optionally with user_id/agent_id/run_id to store them under. */
  private void importBack(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    Scope target = new Scope(Bodies.optionalString(body, "user_id"), Bodies.optionalString(body, "agent_id"),
        Bodies.optionalString(body, "run_id"));
    if (!target.isEmpty()) {
      MemoryRoutes.checkIds(target, "run_id", MemoryRoutes.IDS_REQUIRED_ADD);
    }
    if (!(body.getValue("memories") instanceof JsonArray list) || list.isEmpty()) {
      throw Bodies.invalid("memories must be a non-empty list of exported memories ({\"memory\", ...})");
    }
    if (list.size() > MAX_MEMORIES) {
      throw Bodies.invalid("at most " + MAX_MEMORIES + " memories in one import, got " + list.size());
    }
    List<Imported> items = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      items.add(imported(list.getValue(i), i, target));
    }
    String user = Authenticator.user(ctx);
    embedder.embed(items.stream().map(Imported::text).toList())
        .compose(vectors -> {
          Map<Scope, List<Change>> byScope = new LinkedHashMap<>();
          for (int i = 0; i < items.size(); i++) {
            Imported m = items.get(i);
            byScope.computeIfAbsent(m.scope(), s -> new ArrayList<>()).add(Change.add(new NewMemory(
                UUID.randomUUID().toString(), m.text(), vectors.get(i), m.metadata(), m.actorId(), m.role(), null,
                null, m.expires(), Provenance.of(Provenance.IMPORT, Times.now()))));
          }
          Future<List<Applied>> chain = Future.succeededFuture(new ArrayList<>());
          for (Map.Entry<Scope, List<Change>> e : byScope.entrySet()) {
            chain = chain.compose(done -> store.apply(user, e.getKey(), embeddingModel, true, e.getValue())
                .map(applied -> {
                  done.addAll(applied);
                  return done;
                }));
          }
          return chain;
        })
        .onSuccess(applied -> Responses.json(ctx, 200, new JsonObject()
            .put("message", "Imported " + applied.size() + " memories")
            .put("results", new JsonArray(applied.stream().map(MemoryViews::applied).toList()))))
        .onFailure(ctx::fail);
  }

  private record Imported(String text, Scope scope, Map<String, Object> metadata, String actorId, String role,
      Instant expires) {}

  private static Imported imported(Object raw, int i, Scope target) {
    String at = "memories[" + i + "]";
    if (!(raw instanceof JsonObject m)) {
      throw Bodies.invalid(at + " must be an exported memory object");
    }
    String text = Bodies.optionalString(m, "memory");
    if (text == null || text.isBlank()) {
      throw Bodies.invalid(at + ".memory is required and must be a non-empty string");
    }
    Scope own = new Scope(Bodies.optionalString(m, "user_id"), Bodies.optionalString(m, "agent_id"),
        Bodies.optionalString(m, "run_id"));
    Bodies.bounded(own.user(), at + ".user_id", Scope.MAX_ID_CHARS);
    Bodies.bounded(own.agent(), at + ".agent_id", Scope.MAX_ID_CHARS);
    Bodies.bounded(own.run(), at + ".run_id", Scope.MAX_ID_CHARS);
    Scope scope = target.isEmpty() ? own : target;
    MemoryRoutes.checkIds(scope, "run_id", at + " names none of user_id, agent_id, run_id: give one for the import");
    JsonObject metadata = Bodies.optionalObject(m, "metadata");
    return new Imported(text, scope, metadata == null ? null : Json.plainMap(metadata),
        Bodies.bounded(Bodies.optionalString(m, "actor_id"), at + ".actor_id", Scope.MAX_ID_CHARS),
        Bodies.optionalString(m, "role"),
        MemoryRoutes.expirationDate(m));
  }
}
