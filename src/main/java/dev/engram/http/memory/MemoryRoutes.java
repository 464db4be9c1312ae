package dev.engram.http.memory;

import dev.engram.embed.EmbedClient;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.DateParams;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Json;
import dev.engram.memory.MemoryInference;
import dev.engram.memory.MemoryRequests.Turn;
import dev.engram.memory.MemoryService;
import dev.engram.model.Memory;
import dev.engram.model.MemoryFilter;
import dev.engram.store.MemoryClient;
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
 * The Mem0 REST API (classic v1.0 routes, no prefix): add with or without inference (with {@code async_mode} the
 * inference runs in the background: {@link AddEventRoutes}), list with paging, get, update, delete, delete-all,
 * history, search (shared with the semantic-memory API), configure and reset. Every memory
 * belongs to the authenticated user; Mem0's user_id/agent_id/run_id are scopes inside it.
 */
public final class MemoryRoutes {
  static final String IDS_REQUIRED_ADD = "At least one identifier (user_id, agent_id, run_id) is required.";
  public static final String IDS_REQUIRED = "At least one identifier is required.";
  static final String IDS_REQUIRED_SEARCH = "At least one of 'user_id', 'agent_id', or 'run_id' must be specified.";
  static final int DEFAULT_LIST_LIMIT = 1_000;
  static final int MAX_LIST_LIMIT = 10_000;
  static final int DEFAULT_SEARCH_LIMIT = 100;
  static final int MAX_SEARCH_LIMIT = 1_000;

  private final MemoryService service;
  private final MemoryClient store;
  private final EmbedClient embedder;
  private final String embeddingModel;

  public MemoryRoutes(MemoryService service, MemoryClient store, EmbedClient embedder, String embeddingModel) {
    this.service = service;
    this.store = store;
    this.embedder = embedder;
    this.embeddingModel = embeddingModel;
  }

  public void mount(RouteTable router) {
    router.post("/memories").handler(this::add);
    router.get("/memories").handler(this::list);
    router.delete("/memories").handler(this::deleteAll);
    router.get("/memories/:memory_id/history").handler(ctx -> history(store, ctx));
    router.get("/memories/:memory_id").handler(this::get);
    router.put("/memories/:memory_id").handler(this::update);
    router.delete("/memories/:memory_id").handler(this::delete);
    router.post("/search").handler(this::search);
    router.post("/configure").handler(this::configure);
    router.post("/reset").handler(this::reset);
  }

  private void add(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    List<Turn> messages = messages(body.getValue("messages"));
    Scope scope = scope(body);
    Map<String, Object> metadata = Json.plainMap(Bodies.optionalObject(body, "metadata"));
    boolean infer = Bodies.optionalBoolean(body, "infer", true);
    boolean async = Bodies.optionalBoolean(body, "async_mode", false);
    String memoryType = Bodies.optionalString(body, "memory_type");
    String prompt = Bodies.optionalString(body, "prompt");
    Instant expires = expirationDate(body);
    if (memoryType != null && !MemoryInference.PROCEDURAL.equals(memoryType)) {
      throw ApiException.badRequest("memory_type must be null or '" + MemoryInference.PROCEDURAL + "', got '"
          + memoryType + "'");
    }
    checkIds(scope, "run_id", IDS_REQUIRED_ADD);
    if (memoryType != null && scope.agent() == null) {
      throw ApiException.badRequest("memory_type '" + MemoryInference.PROCEDURAL + "' needs an agent_id");
    }
    if (async && infer && memoryType == null) {
      service.addAsync(Authenticator.user(ctx), scope, messages, metadata, expires)
          .onSuccess(event -> Responses.json(ctx, 200, new JsonObject().put("results",
              new JsonArray().add(queued(event.id())))))
          .onFailure(ctx::fail);
      return;
    }
    service.add(Authenticator.user(ctx), scope, messages, metadata, infer, memoryType, prompt, expires)
        .onSuccess(results -> Responses.json(ctx, 200, new JsonObject().put("results",
            new JsonArray(results.stream().map(MemoryViews::applied).toList()))))
        .onFailure(ctx::fail);
  }

  /** The Mem0 platform's answer to an asynchronous add: its event, to poll or follow. */
  static JsonObject queued(String eventId) {
    return new JsonObject().put("message", "Memory processing has been queued for background execution")
        .put("status", "PENDING").put("event_id", eventId);
  }

  private void list(RoutingContext ctx) {
    Scope scope = queryScope(ctx);
    int limit = Bodies.intParam(ctx, "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    String cursor = ctx.queryParams().get("cursor");
    Validity validity = validity(Bodies.boolParam(ctx, "include_superseded", false),
        DateParams.start(blankToNull(ctx.queryParams().get("as_of")), "as_of"));
    store.list(Authenticator.user(ctx), scope, cursor == null || cursor.isBlank() ? null : cursor, limit, validity)
        .onSuccess(page -> Responses.json(ctx, 200, new JsonObject()
            .put("results", new JsonArray(page.memories().stream()
                .map(m -> MemoryViews.item(m, MemoryViews.Score.ABSENT, 0)).toList()))
            .put("next_cursor", page.nextCursor())))
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    store.get(Authenticator.user(ctx), ctx.pathParam("memory_id"))
        .onSuccess(m -> Responses.json(ctx, 200, MemoryViews.item(m, MemoryViews.Score.NULL, 0)))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String text = Bodies.optionalString(body, "text");
    Map<String, Object> metadata = Json.plainMap(Bodies.optionalObject(body, "metadata"));
    Instant expires = expirationDate(body);
    if (text == null && metadata == null && expires == null) {
      throw Bodies.invalid("give text, metadata and/or expiration_date to update");
    }
    if (text != null && text.isBlank()) {
      throw Bodies.invalid("text must not be empty");
    }
    edit(store, embedder, embeddingModel, Authenticator.user(ctx), ctx.pathParam("memory_id"), text, metadata,
        expires, false)
        .onSuccess(m -> Responses.json(ctx, 200, new JsonObject().put("message", "Memory updated successfully!")))
        .onFailure(ctx::fail);
  }

  /**
   * Edits a memory in place (the classic and the platform update): the memory must exist and be the caller's before
   * its new text (if any) costs an embedding.
   */
  static Future<Memory> edit(MemoryClient store, EmbedClient embedder, String embeddingModel, String user, String id,
      String text, Map<String, Object> metadata, Instant expires, boolean clearExpiration) {
    return store.get(user, id)
        .compose(found -> text == null ? Future.<float[]>succeededFuture(null) : embedder.embed(text))
        .compose(vector -> store.update(user, id, text, vector, metadata, embeddingModel, expires, clearExpiration));
  }

  private void delete(RoutingContext ctx) {
    store.delete(Authenticator.user(ctx), ctx.pathParam("memory_id"))
        .onSuccess(d -> Responses.json(ctx, 200, new JsonObject().put("message", "Memory deleted successfully")))
        .onFailure(ctx::fail);
  }

  private void deleteAll(RoutingContext ctx) {
    Scope scope = queryScope(ctx);
    store.deleteAll(Authenticator.user(ctx), scope)
        .onSuccess(n -> Responses.json(ctx, 200, new JsonObject().put("message", "All relevant memories deleted")
            .put("deleted", n)))
        .onFailure(ctx::fail);
  }

  /** A memory's history, oldest first (the platform's route answers the same). */
  static void history(MemoryClient store, RoutingContext ctx) {
    store.history(Authenticator.user(ctx), ctx.pathParam("memory_id"))
        .onSuccess(rows -> Responses.json(ctx, 200, new JsonArray(rows.stream().map(MemoryViews::history).toList())))
        .onFailure(ctx::fail);
  }

  /**
   * Both search shapes: Mem0's {query, user_id, agent_id, run_id, filters, limit, threshold} and the
   * semantic-memory API's {query, session_id, user_id, limit}. Ids given as plain values inside {@code filters}
   * (Mem0 2.x style) count as scope ids.
   */
  /**
   * Whether a search ranks by hybrid search (the default) or, with {@code "mode": "vector"} (an Engram extension), by
   * similarity alone as Mem0 does.
   */
  private static boolean hybrid(JsonObject body) {
    String mode = Bodies.optionalString(body, "mode");
    if (mode == null || mode.equalsIgnoreCase("hybrid")) {
      return true;
    }
    if (mode.equalsIgnoreCase("vector")) {
      return false;
    }
    throw ApiException.badRequest("mode must be hybrid or vector; got '" + mode + "'");
  }

  private void search(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String query = Bodies.requiredString(body, "query");
    JsonObject filtersJson = Bodies.optionalObject(body, "filters");
    Map<String, Object> filters = filtersJson == null ? null : new LinkedHashMap<>(Json.plainMap(filtersJson));
    String sessionId = Bodies.optionalString(body, "session_id");
    Scope given = scope(body);
    String run = given.run() != null ? given.run() : sessionId;
    Scope scope = new Scope(lift(filters, "user_id", given.user()), lift(filters, "agent_id", given.agent()),
        lift(filters, "run_id", run));
    checkIds(scope, given.run() == null && sessionId != null ? "session_id" : "run_id", IDS_REQUIRED_SEARCH);
    int limit = boundedInt(body, "limit", DEFAULT_SEARCH_LIMIT, 1, MAX_SEARCH_LIMIT);
    Double threshold = threshold(body);
    Validity validity = validity(Bodies.optionalBoolean(body, "include_superseded", false),
        DateParams.start(Bodies.optionalString(body, "as_of"), "as_of"));
    MemoryFilter filter;
    try {
      filter = filters == null || filters.isEmpty() ? null : MemoryFilter.parse(filters);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("Invalid filters: " + e.getMessage());
    }
    String ranked = hybrid(body) ? query : null; // without the text the vector alone ranks
    String user = Authenticator.user(ctx);
    Future<float[]> vector = embedder.embed(query);
    Future<List<UUID>> scopeIds = store.scopes(user, scope); // looked up while the query is being embedded
    Future.all(vector, scopeIds)
        .compose(both -> store.search(user, scope, scopeIds.result(), ranked, vector.result(), filter, limit, threshold,
            validity))
        .onSuccess(found -> Responses.json(ctx, 200, new JsonObject()
            .put("results", new JsonArray(found.stream().map(MemoryViews::scored).toList()))
            .put("memories", new JsonArray(found.stream().map(MemoryViews::seedMemory).toList()))
            .put("count", found.size())))
        .onFailure(ctx::fail);
  }

  private void configure(RoutingContext ctx) {
    if (!Authenticator.isAdmin(ctx)) {
      throw new ApiException(ErrorKind.FORBIDDEN, "Only the admin password may change the configuration");
    }
    JsonObject body = Bodies.object(ctx, false);
    service.configure(Json.plainMap(body))
        .onSuccess(done -> Responses.json(ctx, 200, new JsonObject().put("message", "Configuration set successfully")
            .put("applied", new JsonArray(done.applied())).put("ignored", new JsonArray(done.ignored()))))
        .onFailure(ctx::fail);
  }

  /** The admin password resets every user's memories; any other caller resets only their own. */
  private void reset(RoutingContext ctx) {
    store.reset(Authenticator.isAdmin(ctx) ? null : Authenticator.user(ctx))
        .onSuccess(n -> Responses.json(ctx, 200, new JsonObject().put("message", "All memories reset")))
        .onFailure(ctx::fail);
  }

  /** Mem0 messages: a list of {role, content[, name]}, or a plain string (one user message). */
  static List<Turn> messages(Object raw) {
    if (raw == null) {
      throw Bodies.invalid("messages is required");
    }
    if (raw instanceof String text) {
      if (text.isBlank()) {
        throw Bodies.invalid("messages must not be empty");
      }
      return List.of(new Turn("user", text, null));
    }
    if (!(raw instanceof JsonArray list) || list.isEmpty()) {
      throw Bodies.invalid("messages must be a non-empty list of {\"role\", \"content\"} objects");
    }
    List<Turn> turns = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject m)) {
        throw Bodies.invalid("messages[" + i + "] must be an object with role and content");
      }
      String role = m.getValue("role") instanceof String r && !r.isBlank() ? r : null;
      Object content = m.getValue("content");
      if (role == null) {
        throw Bodies.invalid("messages[" + i + "].role is required and must be a string");
      }
      if (!(content instanceof String)) {
        throw Bodies.invalid("messages[" + i + "].content is required and must be a string");
      }
      // the speaker's name becomes the memory's actor_id, which filters like a scope id
      Object name = m.getValue("name");
      if (name != null && !(name instanceof String)) {
        throw Bodies.invalid("messages[" + i + "].name must be a string");
      }
      turns.add(new Turn(role, (String) content, Bodies.bounded((String) name, "messages[" + i + "].name",
          Scope.MAX_ID_CHARS)));
    }
    return turns;
  }

  private static Scope scope(JsonObject body) {
    return new Scope(Bodies.optionalString(body, "user_id"), Bodies.optionalString(body, "agent_id"),
        Bodies.optionalString(body, "run_id"));
  }

  private static Scope queryScope(RoutingContext ctx) {
    Scope scope = new Scope(ctx.queryParams().get("user_id"), ctx.queryParams().get("agent_id"),
        ctx.queryParams().get("run_id"));
    checkIds(scope, "run_id", IDS_REQUIRED);
    return scope;
  }

  /**
   * Mem0's rule for scope ids, with its 400: at least one is required, and a blank one ({@code ""}, spaces) counts as
   * missing. A blank id next to a real one is refused too: it would store memories that no listing or bulk delete
   * can name, or widen a delete to the other ids' whole scope. An id over {@link Scope#MAX_ID_CHARS} is a wrong
   * field (422).
   */
  public static void checkIds(Scope scope, String runField, String noIds) {
    if (isBlank(scope.user()) && isBlank(scope.agent()) && isBlank(scope.run())) {
      throw ApiException.badRequest(noIds);
    }
    refuseBlank("user_id", scope.user());
    refuseBlank("agent_id", scope.agent());
    refuseBlank(runField, scope.run());
    Bodies.bounded(scope.user(), "user_id", Scope.MAX_ID_CHARS);
    Bodies.bounded(scope.agent(), "agent_id", Scope.MAX_ID_CHARS);
    Bodies.bounded(scope.run(), runField, Scope.MAX_ID_CHARS);
  }

  private static boolean isBlank(String id) {
    return id == null || id.isBlank();
  }

  private static void refuseBlank(String field, String id) {
    if (id != null && id.isBlank()) {
      throw ApiException.badRequest(field + " must not be blank: give an id or leave the field out");
    }
  }

  /** A scope id given as a plain value in the filters moves out of them (an explicit one must agree). */
  private static String lift(Map<String, Object> filters, String key, String given) {
    if (filters == null || !(filters.get(key) instanceof String inFilter)) {
      return given;
    }
    if (given != null && !given.equals(inFilter)) {
      throw ApiException.badRequest(key + " is '" + given + "' but filters say '" + inFilter + "'");
    }
    filters.remove(key);
    return inFilter;
  }

  static int boundedInt(JsonObject body, String field, int fallback, int min, int max) {
    Object value = body.getValue(field);
    if (value == null) {
      return fallback;
    }
    // compared as doubles: a long or BigInteger out of range must not wrap into it (2^64 + 5 is not 5)
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < min || n.doubleValue() > max) {
      throw Bodies.invalid(field + " must be a whole number between " + min + " and " + max);
    }
    return n.intValue();
  }

  /**
   * Which versions of the facts to see: those that hold now (default), those that held at {@code as_of}, every
   * version with {@code include_superseded} (at {@code as_of}: every version that had begun by then).
   */
  static Validity validity(boolean includeSuperseded, Instant asOf) {
    return asOf == null && !includeSuperseded ? Validity.CURRENT : new Validity(asOf, includeSuperseded);
  }

  /** Mem0's {@code expiration_date}: a day (the memory is shown through that day, UTC) or an ISO 8601 instant. */
  static Instant expirationDate(JsonObject body) {
    String value = Bodies.optionalString(body, "expiration_date");
    if (value == null) {
      return null;
    }
    Instant end = DateParams.end(value, "expiration_date");
    return value.length() == 10 ? end.plusNanos(1_000) : end; // a day ends at the first moment of the next
  }

  static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  static Double threshold(JsonObject body) {
    Object value = body.getValue("threshold");
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 1) {
      throw Bodies.invalid("threshold must be a number between 0 and 1 (scores are similarities in [0, 1])");
    }
    return n.doubleValue();
  }
}
