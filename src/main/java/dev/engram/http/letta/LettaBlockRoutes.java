package dev.engram.http.letta;

import dev.engram.agent.Templates;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.model.Agent;
import dev.engram.model.AgentSummary;
import dev.engram.model.Block;
import dev.engram.store.BlockClient;
import dev.engram.store.BlockProtocol.ListBlocks;
import dev.engram.store.StoreClient;
import io.vertx.core.Future;

import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Standalone blocks (letta-v1.md §5): create, list (label, templates_only, name, label/value/description searches,
 * tags; oldest first by default), retrieve, update (checked against the limit: 422), delete, and the agents holding
 * one. An update reaches every agent holding the block at its next step. The built-in persona and human templates
 * are listed with {@code templates_only=true} beside the user's own and can be read, not changed.
 */
public final class LettaBlockRoutes {
  private static final int DEFAULT_LIMIT = 50;
  private static final int AGENTS_LIMIT = 50;

  private final BlockClient blocks;
  private final StoreClient store;
  private final LettaAgentStates states;

  public LettaBlockRoutes(BlockClient blocks, StoreClient store, LettaAgentStates states) {
    this.blocks = blocks;
    this.store = store;
    this.states = states;
  }

  public void mount(RouteTable router) {
    router.post("/v1/blocks").handler(this::create);
    router.get("/v1/blocks").handler(this::list);
    router.get("/v1/blocks/:block_id").handler(this::retrieve);
    router.patch("/v1/blocks/:block_id").handler(this::update);
    router.delete("/v1/blocks/:block_id").handler(this::delete);
    router.get("/v1/blocks/:block_id/agents").handler(this::agents);
  }

  private void create(RoutingContext ctx) {
    String userId = Authenticator.user(ctx);
    Block block = LettaRequests.newBlock(Bodies.object(ctx, false), userId, Times.now(), false);
    blocks.create(userId, List.of(block)).onSuccess(created -> Responses.json(ctx, 200,
        LettaViews.block(created.get(0)))).onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, DEFAULT_LIMIT, true);
    var q = ctx.queryParams();
    String templatesOnly = Paging.blankToNull(q.get("templates_only"));
    String matchAll = Paging.blankToNull(q.get("match_all_tags"));
    var filter = new ListBlocks(Authenticator.user(ctx), Paging.blankToNull(q.get("label")),
        flag(templatesOnly, "templates_only"), Paging.blankToNull(q.get("name")),
        Paging.blankToNull(q.get("label_search")), Paging.blankToNull(q.get("value_search")),
        Paging.blankToNull(q.get("description_search")),
        q.getAll("tags").stream().filter(t -> !t.isBlank()).toList(), flag(matchAll, "match_all_tags"));
    blocks.list(filter).map(own -> {
      List<Block> all = new ArrayList<>();
      if (filter.templatesOnly()) {
        all.addAll(Templates.builtInBlocks(filter.label()).stream().filter(b -> matches(b, filter)).toList());
      }
      all.addAll(own);
      return LettaViews.blocks(paging.applyKnown(all, Block::id, "block"));
    }).onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private static boolean flag(String value, String name) {
    if (value == null) {
      return false;
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw Bodies.invalid("query parameter " + name + " must be true or false, got '" + value + "'");
    }
    return value.equals("true");
  }

  /** The store's filters, for the built-in templates (which are not rows). */
  private static boolean matches(Block b, ListBlocks f) {
    return (f.templateName() == null || f.templateName().equals(b.templateName()))
        && contains(b.label(), f.labelSearch()) && contains(b.value(), f.valueSearch())
        && contains(b.description(), f.descriptionSearch()) && f.tags().isEmpty();
  }

  private static boolean contains(String text, String part) {
    return part == null || text != null && text.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
  }

  private void retrieve(RoutingContext ctx) {
    find(ctx).onSuccess(b -> Responses.json(ctx, 200, LettaViews.block(b))).onFailure(ctx::fail);
  }

  /** The user's block, or a built-in template. */
  private Future<Block> find(RoutingContext ctx) {
    Block builtIn = Templates.builtInBlock(ctx.pathParam("block_id"));
    return builtIn != null ? Future.succeededFuture(builtIn)
        : blocks.get(Authenticator.user(ctx), ctx.pathParam("block_id"));
  }

  private void update(RoutingContext ctx) {
    var patch = LettaRequests.blockPatch(Bodies.object(ctx, false));
    refuseBuiltIn(ctx);
    blocks.update(Authenticator.user(ctx), ctx.pathParam("block_id"), patch)
        .onSuccess(b -> Responses.json(ctx, 200, LettaViews.block(b))).onFailure(ctx::fail);
  }

  /** Answers the deleted block (the 0.4 client reads it; the 1.x SDK takes any 2xx). */
  private void delete(RoutingContext ctx) {
    refuseBuiltIn(ctx);
    blocks.delete(Authenticator.user(ctx), ctx.pathParam("block_id"))
        .onSuccess(b -> Responses.json(ctx, 200, LettaViews.block(b))).onFailure(ctx::fail);
  }

  private static void refuseBuiltIn(RoutingContext ctx) {
    if (Templates.builtInBlock(ctx.pathParam("block_id")) != null) {
      throw new ApiException(ErrorKind.FORBIDDEN, "Block " + ctx.pathParam("block_id") + " is a built-in template"
          + " and cannot be changed; create a block of your own from its value");
    }
  }

  /** The user's agents holding the block (404 when the block is not the user's), paged like the agent list. */
  private void agents(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, AGENTS_LIMIT, false);
    String userId = Authenticator.user(ctx);
    blocks.agentsOf(userId, ctx.pathParam("block_id"))
        .compose(ids -> ids.isEmpty() ? Future.succeededFuture(List.<Agent>of())
            : store.listAgents(userId).map(list -> list.agents().stream().map(AgentSummary::agent)
                .filter(a -> ids.contains(a.id()))
                .sorted(Comparator.comparing(Agent::createdAt).thenComparing(Agent::id)).toList()))
        .compose(found -> states.all(userId, paging.applyKnown(found, Agent::id, "agent")))
        .onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }
}
