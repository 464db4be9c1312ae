package dev.engram.http.letta;

import dev.engram.agent.ArchivalMemory;
import dev.engram.http.ArchivalHitViews;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.DateParams;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Passage;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.ArchivalItem;
import dev.engram.store.ArchivalProtocol.ListArchival;
import dev.engram.store.ArchivalProtocol.PassageFilter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An agent's archival memory on Letta's /v1 (letta-v1.md §7): insert (chunked: an array of passages), list (a plain
 * array, oldest first by default, with a text filter), search over the hybrid index with tag and date filters, and
 * delete; and the MemGPT 0.4 client's {@code …/archival} names for the same. Listings and searches include the
 * passages of the folders attached to the agent and the current memories of its attached Mem0 scopes, as on /api.
 */
public final class LettaArchivalRoutes {
  private static final int MAX_LIST = 10_000;
  private static final int MAX_TOP_K = 1_000;
  private static final int MAX_TAGS = 100;
  private static final int MAX_TAG_CHARS = 200;

  private final ArchivalMemory archival;
  private final ArchivalClient store;
  private final LettaFolderViews views;

  public LettaArchivalRoutes(ArchivalMemory archival, ArchivalClient store, LettaFolderViews views) {
    this.archival = archival;
    this.store = store;
    this.views = views;
  }

  public void mount(RouteTable router) {
    router.post("/v1/agents/:agent_id/archival-memory").handler(this::create);
    router.get("/v1/agents/:agent_id/archival-memory").handler(ctx -> list(ctx, 100));
    router.get("/v1/agents/:agent_id/archival-memory/search").handler(this::search);
    router.delete("/v1/agents/:agent_id/archival-memory/:passage_id").handler(this::delete);
    // the MemGPT 0.4 client (letta-memgpt.md §7)
    router.get("/v1/agents/:agent_id/archival").handler(ctx -> list(ctx, 1000));
    router.post("/v1/agents/:agent_id/archival").handler(this::create);
    router.delete("/v1/agents/:agent_id/archival/:passage_id").handler(this::delete);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String text = Bodies.requiredString(body, "text");
    List<String> tags = tags(body.getValue("tags"));
    Instant createdAt = DateParams.start(Bodies.optionalString(body, "created_at"), "created_at");
    archival.insert(Authenticator.user(ctx), ctx.pathParam("agent_id"), text, Map.of(), tags, createdAt)
        .onSuccess(stored -> Responses.json(ctx, 200, passages(stored)))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx, int defaultLimit) {
    int limit = Bodies.intParam(ctx, "limit", defaultLimit, 1, MAX_LIST);
    boolean ascending = booleanParam(ctx, "ascending", true);
    ListArchival query = new ListArchival(Authenticator.user(ctx), ctx.pathParam("agent_id"), param(ctx, "after"),
        param(ctx, "before"), limit, ascending, param(ctx, "search"));
    String user = Authenticator.user(ctx);
    store.list(query).onSuccess(items -> Responses.json(ctx, 200, listed(items, user))).onFailure(ctx::fail);
  }

  /** Listed passages with their provenance, and memories of attached Mem0 scopes in the passage shape. */
  private JsonArray listed(List<ArchivalItem> items, String user) {
    return new JsonArray(items.stream().map(i -> i.memory() != null ? views.memory(i.memory(), user)
        : views.passage(i.passage()).put("provenance", ArchivalHitViews.passage(i.passage()))).toList());
  }

  private void search(RoutingContext ctx) {
    String query = param(ctx, "query");
    if (query == null) {
      throw Bodies.invalid("query parameter query is required");
    }
    int topK = Bodies.intParam(ctx, "top_k", 5, 1, MAX_TOP_K);
    String mode = param(ctx, "tag_match_mode");
    if (mode != null && !mode.equals("any") && !mode.equals("all")) {
      throw Bodies.invalid("query parameter tag_match_mode must be any or all, got '" + mode + "'");
    }
    List<String> tags = tags(new JsonArray(ctx.queryParams().getAll("tags").stream()
        .filter(t -> !t.isEmpty()).toList()));
    PassageFilter filter = new PassageFilter(tags, "all".equals(mode),
        DateParams.start(param(ctx, "start_datetime"), "start_datetime"),
        DateParams.end(param(ctx, "end_datetime"), "end_datetime"));
    archival.search(Authenticator.user(ctx), ctx.pathParam("agent_id"), query, SearchMode.HYBRID, topK, filter)
        .onSuccess(found -> Responses.json(ctx, 200, new JsonObject()
            .put("results", new JsonArray(found.stream().map(LettaFolderViews::searchResult).toList()))
            .put("count", found.size())))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String id = ctx.pathParam("passage_id");
    if (Ids.parse(id) == null) {
      throw ApiException.notFound("Memory id=" + id + " not found");
    }
    store.delete(Authenticator.user(ctx), ctx.pathParam("agent_id"), id)
        .onSuccess(d -> Responses.json(ctx, 200, new JsonObject().put("message",
            "Memory id=" + PrefixedIds.prefixed(PrefixedIds.PASSAGE, id) + " successfully deleted")))
        .onFailure(ctx::fail);
  }

  private JsonArray passages(List<Passage> passages) {
    return new JsonArray(passages.stream().map(views::passage).toList());
  }

  /** Tags from a body or the query: null or absent is none; else strings, kept once each, in order. */
  static List<String> tags(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw Bodies.invalid("tags must be an array of strings");
    }
    if (array.size() > MAX_TAGS) {
      throw Bodies.invalid("tags may hold at most " + MAX_TAGS + " tags, got " + array.size());
    }
    Set<String> tags = new LinkedHashSet<>();
    for (Object tag : array) {
      if (!(tag instanceof String s) || s.isBlank()) {
        throw Bodies.invalid("tags must be an array of non-empty strings");
      }
      tags.add(Bodies.bounded(s, "a tag", MAX_TAG_CHARS));
    }
    return new ArrayList<>(tags);
  }

  /** A query parameter; an empty value counts as absent, as the SDK sends {@code key=} for null. */
  static String param(RoutingContext ctx, String name) {
    return Paging.blankToNull(ctx.queryParams().get(name));
  }

  static boolean booleanParam(RoutingContext ctx, String name, boolean fallback) {
    return Bodies.boolParam(ctx, name, fallback);
  }
}
