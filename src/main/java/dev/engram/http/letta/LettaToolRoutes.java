package dev.engram.http.letta;

import dev.engram.agent.AgentClient;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.kernel.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * The tools as far as listing and attaching go (letta-v1.md §8): the built-in MemGPT and memory tools with their
 * exact schemas and stable ids, the MemGPT 0.4 client's id by name, and an agent's tools with attach and detach by
 * id. The next model call of the agent sends its new tool list.
 */
public final class LettaToolRoutes {
  private static final int DEFAULT_LIMIT = 50;
  private static final int AGENT_TOOLS_LIMIT = 10;

  private final AgentClient agents;
  private final LettaViews views;
  private final LettaAgentStates states;
  private final ToolRegistry tools;

  public LettaToolRoutes(AgentClient agents, LettaViews views, LettaAgentStates states) {
    this.agents = agents;
    this.views = views;
    this.states = states;
    this.tools = views.tools();
  }

  public void mount(Router router) {
    router.get("/v1/tools").handler(this::list);
    router.get("/v1/tools/name/:tool_name").handler(this::idByName);
    router.get("/v1/tools/:tool_id").handler(this::retrieve);
    router.get("/v1/agents/:agent_id/tools").handler(this::agentTools);
    router.patch("/v1/agents/:agent_id/tools/attach/:tool_id").handler(ctx -> link(ctx, true));
    router.patch("/v1/agents/:agent_id/tools/detach/:tool_id").handler(ctx -> link(ctx, false));
  }

  /** Filters: name, names, tool_ids, search (part of the name, any case), tool_types, exclude_tool_types. */
  private void list(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, DEFAULT_LIMIT, false);
    var q = ctx.queryParams();
    String name = Paging.blankToNull(q.get("name"));
    List<String> names = nonBlank(q.getAll("names"));
    List<String> ids = nonBlank(q.getAll("tool_ids")).stream().map(id -> PrefixedIds.bare(id, PrefixedIds.TOOL))
        .toList();
    String search = Paging.blankToNull(q.get("search"));
    List<String> types = nonBlank(q.getAll("tool_types"));
    List<String> excluded = nonBlank(q.getAll("exclude_tool_types"));
    List<String> matching = tools.names().stream()
        .filter(n -> name == null || n.equals(name))
        .filter(n -> names.isEmpty() || names.contains(n))
        .filter(n -> ids.isEmpty() || ids.contains(ToolRegistry.toolId(n)))
        .filter(n -> search == null || n.toLowerCase(Locale.ROOT).contains(search.toLowerCase(Locale.ROOT)))
        .filter(n -> types.isEmpty() || types.contains(tools.toolType(n)))
        .filter(n -> !excluded.contains(tools.toolType(n)))
        .toList();
    Responses.json(ctx, 200, render(paging.applyKnown(matching, ToolRegistry::toolId, "tool")));
  }

  private void retrieve(RoutingContext ctx) {
    String name = tools.nameOfId(ctx.pathParam("tool_id"));
    if (name == null) {
      throw notFound(ctx.pathParam("tool_id"));
    }
    Responses.json(ctx, 200, views.tool(name));
  }

  /** The 0.4 client's get_tool_id: the id of the named tool, as a JSON string. */
  private void idByName(RoutingContext ctx) {
    String name = ctx.pathParam("tool_name");
    if (!tools.has(name)) {
      throw ApiException.notFound("Tool name=" + name + " not found");
    }
    String id = PrefixedIds.prefixed(PrefixedIds.TOOL, ToolRegistry.toolId(name));
    ctx.response().putHeader("content-type", "application/json").end("\"" + id + "\"");
  }

  private void agentTools(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, AGENT_TOOLS_LIMIT, false);
    agents.get(Authenticator.user(ctx), ctx.pathParam("agent_id"))
        .map(view -> render(paging.applyKnown(view.agent().tools().stream().filter(tools::has).toList(),
            ToolRegistry::toolId, "tool")))
        .onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private void link(RoutingContext ctx, boolean attach) {
    String name = tools.nameOfId(ctx.pathParam("tool_id"));
    if (name == null) {
      throw notFound(ctx.pathParam("tool_id"));
    }
    String userId = Authenticator.user(ctx);
    agents.linkTool(userId, ctx.pathParam("agent_id"), name, attach)
        .compose(view -> states.of(userId, view.agent()))
        .onSuccess(state -> Responses.json(ctx, 200, state))
        .onFailure(ctx::fail);
  }

  private JsonArray render(List<String> names) {
    JsonArray out = new JsonArray();
    names.forEach(n -> out.add(views.tool(n)));
    return out;
  }

  private static List<String> nonBlank(List<String> values) {
    return values.stream().filter(v -> !v.isBlank()).toList();
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("Tool tool_id=" + id + " not found");
  }
}
