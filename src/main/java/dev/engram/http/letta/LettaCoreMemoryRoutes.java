package dev.engram.http.letta;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.EditBlock;
import dev.engram.agent.AgentProtocol.EditCoreMemory;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.model.Block;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An agent's core memory on /v1 (letta-v1.md §4): its blocks by label (a label may hold a percent-encoded '/'),
 * attach and detach by block id, and the MemGPT 0.4 client's routes (letta-memgpt.md §7): the memory by label, the
 * sizes of archival and recall memory, and the messages in context.
 */
public final class LettaCoreMemoryRoutes {
  private static final int DEFAULT_LIMIT = 100;
  private static final String BLOCKS = "/v1/agents/:agent_id/core-memory/blocks";

  private final AgentClient agents;
  private final LettaAgentStates states;

  public LettaCoreMemoryRoutes(AgentClient agents, LettaAgentStates states) {
    this.agents = agents;
    this.states = states;
  }

  public void mount(RouteTable router) {
    router.get(BLOCKS).handler(this::list);
    router.get(BLOCKS + "/:block_label").handler(this::retrieve);
    router.patch(BLOCKS + "/:block_label").handler(this::update);
    router.patch(BLOCKS + "/attach/:block_id").handler(ctx -> link(ctx, true));
    router.patch(BLOCKS + "/detach/:block_id").handler(ctx -> link(ctx, false));
    router.get("/v1/agents/:agent_id/memory").handler(this::memory);
    router.patch("/v1/agents/:agent_id/memory").handler(this::updateMemory);
    router.get("/v1/agents/:agent_id/memory/archival").handler(ctx -> size(ctx, true));
    router.get("/v1/agents/:agent_id/memory/recall").handler(ctx -> size(ctx, false));
    router.get("/v1/agents/:agent_id/memory/messages").handler(this::inContext);
  }

  /** The agent's blocks, paged; "ascending" is the order the prompt shows them in, Letta's default is descending. */
  private void list(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, DEFAULT_LIMIT, false);
    agents.get(Authenticator.user(ctx), ctx.pathParam("agent_id"))
        .map(view -> LettaViews.blocks(paging.applyKnown(view.agent().memory().blocks(), Block::id, "block")))
        .onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private void retrieve(RoutingContext ctx) {
    String label = ctx.pathParam("block_label");
    agents.get(Authenticator.user(ctx), ctx.pathParam("agent_id")).onSuccess(view -> {
      Block block = view.agent().memory().find(label);
      if (block == null) {
        ctx.fail(ApiException.notFound("No block with label '" + label + "' found for agent '"
            + ctx.pathParam("agent_id") + "'"));
        return;
      }
      Responses.json(ctx, 200, LettaViews.block(block));
    }).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    var patch = LettaRequests.blockPatch(Bodies.object(ctx, false));
    var req = new EditBlock(Authenticator.user(ctx), ctx.pathParam("agent_id"), ctx.pathParam("block_label"), patch);
    agents.editBlock(req).onSuccess(edited -> Responses.json(ctx, 200, LettaViews.block(edited.block())))
        .onFailure(ctx::fail);
  }

  private void link(RoutingContext ctx, boolean attach) {
    String userId = Authenticator.user(ctx);
    agents.linkBlock(userId, ctx.pathParam("agent_id"), ctx.pathParam("block_id"), attach)
        .compose(view -> states.of(userId, view.agent()))
        .onSuccess(state -> Responses.json(ctx, 200, state))
        .onFailure(ctx::fail);
  }

  private void memory(RoutingContext ctx) {
    agents.get(Authenticator.user(ctx), ctx.pathParam("agent_id"))
        .onSuccess(view -> Responses.json(ctx, 200, LettaViews.memory(view.agent().memory().blocks())))
        .onFailure(ctx::fail);
  }

  /** The 0.4 client's update: {@code {"<label>": "<value>"}}; every label must be one of the agent's. */
  private void updateMemory(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    Map<String, String> values = new LinkedHashMap<>();
    for (String label : body.fieldNames()) {
      Object value = body.getValue(label);
      if (!(value instanceof String s)) {
        throw Bodies.invalid("the value of '" + label + "' must be a string");
      }
      values.put(label, s);
    }
    agents.updateMemory(new EditCoreMemory(Authenticator.user(ctx), ctx.pathParam("agent_id"), values))
        .onSuccess(change -> Responses.json(ctx, 200, LettaViews.memory(change.after().blocks())))
        .onFailure(ctx::fail);
  }

  private void size(RoutingContext ctx, boolean archival) {
    agents.get(Authenticator.user(ctx), ctx.pathParam("agent_id")).onSuccess(view -> Responses.json(ctx, 200,
            new JsonObject().put("size", archival ? view.archivalCount() : view.recallCount())))
        .onFailure(ctx::fail);
  }

  private void inContext(RoutingContext ctx) {
    agents.get(Authenticator.user(ctx), ctx.pathParam("agent_id")).onSuccess(view -> {
      JsonArray out = new JsonArray();
      view.inContext().forEach(m -> out.add(LettaViews.message(m)));
      Responses.json(ctx, 200, out);
    }).onFailure(ctx::fail);
  }
}
