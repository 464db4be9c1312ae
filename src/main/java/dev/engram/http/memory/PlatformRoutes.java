package dev.engram.http.memory;

import dev.engram.embed.EmbedClient;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.DateParams;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Json;
import dev.engram.memory.MemoryRequests.Turn;
import dev.engram.memory.MemoryService;
import dev.engram.model.Memory;
import dev.engram.model.MemoryFilter;
import dev.engram.store.MemoryClient;
import dev.engram.store.MemoryProtocol.Applied;
import dev.engram.store.MemoryProtocol.Entity;
import dev.engram.store.MemoryProtocol.NumberedPage;
import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryProtocol.ScoredMemory;
import dev.engram.store.MemoryProtocol.Validity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The Mem0 platform API (api.mem0.ai's paths) that the official {@code mem0ai} clients call when given a
 * {@code host}: ping, add (v1, v3), list (v1 query, v2/v3 filters in the body with numbered pages), search (v1, v2,
 * v3); one memory, batch and entities are in {@link PlatformMemoryRoutes}, exports in {@link PlatformExports}. The
 * same store, users and scopes as the classic routes ({@link MemoryRoutes}); events of asynchronous adds are in
 * {@link AddEventRoutes}, webhooks in {@link WebhookRoutes}.
 */
public final class PlatformRoutes {
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1_000;
  static final int DEFAULT_TOP_K = 10;
  static final int MAX_TOP_K = 1_000;
  private static final List<String> PREFIXES = List.of("/v1/memories", "/v1/ping", "/v1/batch", "/v1/entities",
      "/v1/exports", "/v1/event", "/api/v1/webhooks", "/v2/", "/v3/");

  private final MemoryService service;
  private final MemoryClient store;
  private final EmbedClient embedder;
  private final String embeddingModel;

  public PlatformRoutes(MemoryService service, MemoryClient store, EmbedClient embedder, String embeddingModel) {
    this.service = service;
    this.store = store;
    this.embedder = embedder;
    this.embeddingModel = embeddingModel;
  }

  /** Whether a request path is one of the platform's (their trailing slash is dropped, their ids left alone). */
  public static boolean owns(String path) {
    for (String prefix : PREFIXES) {
      if (path.startsWith(prefix) && (prefix.endsWith("/") || path.length() == prefix.length()
          || path.charAt(prefix.length()) == '/')) {
        return true;
      }
    }
    return false;
  }

  public void mount(RouteTable router) {
    router.get("/v1/ping").handler(this::ping);
    router.post("/v1/memories").handler(ctx -> add(ctx, false));
    router.post("/v3/memories/add").handler(ctx -> add(ctx, true));
    router.get("/v1/memories").handler(this::listByQuery);
    router.post("/v2/memories").handler(ctx -> listByFilters(ctx, false));
    router.post("/v3/memories").handler(ctx -> listByFilters(ctx, true));
    router.post("/v1/memories/search").handler(ctx -> search(ctx, 1));
    router.post("/v2/memories/search").handler(ctx -> search(ctx, 2));
    router.post("/v3/memories/search").handler(ctx -> search(ctx, 3));
  }

  /** The clients' key check: reaching here means the key is good (the authenticator refused a bad one). */
  private void ping(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject().put("status", "ok").put("message", "API key is valid")
        .putNull("org_id").putNull("project_id").putNull("user_email"));
  }

  /**
   * Add. With {@code async_mode: true} (and inference) as the platform does it: the raw messages are searchable at
   * once and the answer is the queued event ({@code {"message", "status": "PENDING", "event_id"}}: v1 in a list, or
   * in {@code {"results"}} with v1.1; v3 alone), whose outcome {@code GET /v1/event/{id}/} tells. Otherwise answered
   * when done: v1 a list of results ({@code output_format} v1.1: {@code {"results"}}); v3 the platform's event
   * envelope with {@code status} SUCCEEDED and the results.
   */
  private void add(RoutingContext ctx, boolean v3) {
    JsonObject body = Bodies.object(ctx, false);
    List<Turn> messages = MemoryRoutes.messages(body.getValue("messages"));
    Scope scope = new Scope(Bodies.optionalString(body, "user_id"), Bodies.optionalString(body, "agent_id"),
        Bodies.optionalString(body, "run_id"));
    JsonObject given = Bodies.optionalObject(body, "metadata");
    Map<String, Object> metadata = given == null ? new LinkedHashMap<>() : new LinkedHashMap<>(Json.plainMap(given));
    String app = Bodies.bounded(Bodies.optionalString(body, "app_id"), "app_id", Scope.MAX_ID_CHARS);
    if (app != null) {
      metadata.put("app_id", app); // no scope of its own: a metadata key, which filters can name
    }
    boolean infer = Bodies.optionalBoolean(body, "infer", true);
    // the platform's default is true; here an add is answered when done unless async_mode is true
    boolean async = Bodies.optionalBoolean(body, "async_mode", false);
    Bodies.optionalBoolean(body, "immutable", false);
    boolean v11 = outputFormat(body);
    Instant expires = MemoryRoutes.expirationDate(body);
    MemoryRoutes.checkIds(scope, "run_id", MemoryRoutes.IDS_REQUIRED_ADD);
    if (async && infer) {
      service.addAsync(Authenticator.user(ctx), scope, messages, metadata.isEmpty() ? null : metadata, expires)
          .onSuccess(event -> {
            JsonObject queued = MemoryRoutes.queued(event.id());
            if (v3) {
              Responses.json(ctx, 200, queued);
            } else if (v11) {
              Responses.json(ctx, 200, new JsonObject().put("results", new JsonArray().add(queued)));
            } else {
              Responses.json(ctx, 200, new JsonArray().add(queued));
            }
          })
          .onFailure(ctx::fail);
      return;
    }
    service.add(Authenticator.user(ctx), scope, messages, metadata.isEmpty() ? null : metadata, infer, null, null,
            expires)
        .onSuccess(results -> {
          JsonArray items = new JsonArray(results.stream().map(PlatformRoutes::added).toList());
          if (v3) {
            Responses.json(ctx, 200, new JsonObject().put("message", "Memories processed")
                .put("status", "SUCCEEDED").put("event_id", UUID.randomUUID().toString()).put("results", items));
          } else if (v11) {
            Responses.json(ctx, 200, new JsonObject().put("results", items).put("relations", new JsonArray()));
          } else {
            Responses.json(ctx, 200, items);
          }
        })
        .onFailure(ctx::fail);
  }

  /** GET /v1/memories/?user_id=...: a list (up to {@code limit}), or an envelope when page and page_size are given. */
  private void listByQuery(RoutingContext ctx) {
    Map<String, Object> filters = new LinkedHashMap<>();
    for (String key : List.of("user_id", "agent_id", "run_id", "app_id")) {
      String value = ctx.queryParams().get(key);
      if (value != null) {
        filters.put(key, value);
      }
    }
    if (filters.isEmpty()) {
      throw ApiException.badRequest(PlatformFilters.ENTITY_REQUIRED);
    }
    PlatformFilters.Parsed parsed = PlatformFilters.parse(filters);
    boolean paged = ctx.queryParams().contains("page") && ctx.queryParams().contains("page_size");
    int page = Bodies.intParam(ctx, "page", 1, 1, Integer.MAX_VALUE);
    int size = paged ? Bodies.intParam(ctx, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        : Bodies.intParam(ctx, "limit", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    listPage(ctx, parsed, Validity.CURRENT, paged ? page : 1, size, paged);
  }

  /** POST /v2|v3/memories/: filters in the body; page and page_size from the query or the body (query first). */
  private void listByFilters(RoutingContext ctx, boolean v3) {
    JsonObject body = Bodies.object(ctx, false);
    if (v3) {
      refuseTopLevelIds(body);
    }
    PlatformFilters.Parsed parsed = PlatformFilters.parse(filters(body));
    Validity validity = MemoryRoutes.validity(Bodies.optionalBoolean(body, "include_superseded", false),
        DateParams.start(Bodies.optionalString(body, "as_of"), "as_of"))
        .withExpired(Bodies.optionalBoolean(body, "show_expired", false));
    boolean paged = v3 || ctx.queryParams().contains("page") || ctx.queryParams().contains("page_size")
        || body.containsKey("page") || body.containsKey("page_size");
    int page = ctx.queryParams().contains("page") ? Bodies.intParam(ctx, "page", 1, 1, Integer.MAX_VALUE)
        : MemoryRoutes.boundedInt(body, "page", 1, 1, Integer.MAX_VALUE);
    int size = ctx.queryParams().contains("page_size")
        ? Bodies.intParam(ctx, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        : MemoryRoutes.boundedInt(body, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    listPage(ctx, parsed, validity, page, size, paged);
  }

  private void listPage(RoutingContext ctx, PlatformFilters.Parsed parsed, Validity validity, int page, int size,
      boolean envelope) {
    long offset = (long) (page - 1) * size;
    if (offset > Integer.MAX_VALUE - size) {
      throw Bodies.invalid("page is past any listing: page * page_size must stay under 2^31");
    }
    store.page(Authenticator.user(ctx), parsed.scope(), parsed.filter(), validity, (int) offset, size)
        .onSuccess(found -> {
          JsonArray items = items(found.memories());
          if (!envelope) {
            Responses.json(ctx, 200, items);
            return;
          }
          Responses.json(ctx, 200, new JsonObject().put("count", found.total())
              .put("next", offset + size < found.total() ? pageUrl(ctx, page + 1, size) : null)
              .put("previous", page > 1 ? pageUrl(ctx, page - 1, size) : null)
              .put("results", items));
        })
        .onFailure(ctx::fail);
  }

  /**
   * Search: v1 takes top-level ids (and optional filters) and answers a list ({@code output_format} v1.1:
   * {@code {"results"}}); v2 and v3 take the ids in {@code filters} (v3 refuses top-level ones); v2 answers a list,
   * v3 {@code {"results"}}. {@code top_k} (or {@code limit}) defaults to 10; {@code threshold} to the platform's
   * (none on v1, 0.3 on v2, 0.1 on v3).
   */
  private void search(RoutingContext ctx, int version) {
    JsonObject body = Bodies.object(ctx, false);
    String query = Bodies.requiredString(body, "query");
    Map<String, Object> filters = filters(body);
    PlatformFilters.Parsed parsed;
    if (version == 1) {
      Map<String, Object> merged = filters == null ? new LinkedHashMap<>() : new LinkedHashMap<>(filters);
      for (String key : List.of("user_id", "agent_id", "run_id", "app_id")) {
        String id = Bodies.optionalString(body, key);
        if (id != null && merged.putIfAbsent(key, id) != null && !id.equals(merged.get(key))) {
          throw ApiException.badRequest(key + " is '" + id + "' but filters say '" + merged.get(key) + "'");
        }
      }
      parsed = PlatformFilters.parse(merged);
    } else {
      if (version == 3) {
        refuseTopLevelIds(body);
      }
      parsed = PlatformFilters.parse(filters);
    }
    int topK = body.containsKey("top_k") ? MemoryRoutes.boundedInt(body, "top_k", DEFAULT_TOP_K, 1, MAX_TOP_K)
        : MemoryRoutes.boundedInt(body, "limit", DEFAULT_TOP_K, 1, MAX_TOP_K);
    Double threshold = body.containsKey("threshold") ? MemoryRoutes.threshold(body)
        : version == 2 ? Double.valueOf(0.3) : version == 3 ? Double.valueOf(0.1) : null;
    boolean v11 = outputFormat(body);
    Bodies.optionalBoolean(body, "rerank", false);
    Validity validity = MemoryRoutes.validity(Bodies.optionalBoolean(body, "include_superseded", false),
        DateParams.start(Bodies.optionalString(body, "as_of"), "as_of"))
        .withExpired(Bodies.optionalBoolean(body, "show_expired", false));
    String user = Authenticator.user(ctx);
    Future<float[]> vector = embedder.embed(query);
    Future<List<UUID>> scopeIds = store.scopes(user, parsed.scope());
    Future.all(vector, scopeIds)
        // ranked by similarity alone, as the platform does (hybrid ranking here is not yet measured against the
        // official client's expectations: its test searches right after an asynchronous add)
        .compose(both -> store.search(user, parsed.scope(), scopeIds.result(), null, vector.result(), parsed.filter(),
            topK, threshold, validity))
        .onSuccess(found -> {
          JsonArray results = new JsonArray(found.stream().map(MemoryViews::scored).toList());
          if (version == 3 || version == 1 && v11) {
            JsonObject answer = new JsonObject().put("results", results);
            Responses.json(ctx, 200, version == 1 ? answer.put("relations", new JsonArray()) : answer);
          } else {
            Responses.json(ctx, 200, results);
          }
        })
        .onFailure(ctx::fail);
  }

  /** The platform names entity ids only inside {@code filters} on v3; a top-level one is a 400 there. */
  private static void refuseTopLevelIds(JsonObject body) {
    for (String key : List.of("user_id", "agent_id", "run_id", "app_id")) {
      if (body.containsKey(key)) {
        throw ApiException.badRequest("Top-level entity parameter " + key + " is not supported here: use filters:"
            + " {\"" + key + "\": \"...\"}");
      }
    }
  }

  private static Map<String, Object> filters(JsonObject body) {
    JsonObject filters = Bodies.optionalObject(body, "filters");
    return filters == null ? null : new LinkedHashMap<>(Json.plainMap(filters));
  }

  /** {@code output_format}: v1.0 (the default) or v1.1; true for v1.1. */
  private static boolean outputFormat(JsonObject body) {
    String format = Bodies.optionalString(body, "output_format");
    if (format != null && !format.equals("v1.0") && !format.equals("v1.1")) {
      throw Bodies.invalid("output_format must be v1.0 or v1.1, got '" + format + "'");
    }
    String version = Bodies.optionalString(body, "version");
    if (version != null && !version.equals("v1") && !version.equals("v2")) {
      throw Bodies.invalid("version must be v1 or v2, got '" + version + "'");
    }
    return "v1.1".equals(format);
  }

  private static JsonArray items(List<Memory> memories) {
    return new JsonArray(memories.stream().map(m -> MemoryViews.item(m, MemoryViews.Score.ABSENT, 0)).toList());
  }

  /** One add result as the platform shows it: id, event, data.memory (and memory, previous_memory as Mem0's OSS). */
  private static JsonObject added(Applied a) {
    return MemoryViews.applied(a).put("data", new JsonObject().put("memory", a.memory()));
  }

  /** This request's URL with another page (the platform's next/previous links). */
  static String pageUrl(RoutingContext ctx, int page, int size) {
    String uri = ctx.request().absoluteURI();
    int q = uri.indexOf('?');
    return (q < 0 ? uri : uri.substring(0, q)) + "?page=" + page + "&page_size=" + size;
  }
}
