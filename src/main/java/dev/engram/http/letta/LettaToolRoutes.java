package dev.engram.http.letta;

import dev.engram.agent.AgentClient;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.agent.tool.Toolsets;
import dev.engram.agent.tool.UserTools;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.http.ToolDraft;
import dev.engram.http.ToolEdits;
import dev.engram.kernel.ApiException;
import dev.engram.model.CustomTool;
import dev.engram.model.McpTool;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Letta's tools (letta-v1.md §8): the built-in MemGPT and memory tools with their exact schemas and stable ids, the
 * user's own tools (create, upsert, update, delete: {@link ToolEdits}) and their MCP servers' tools, listed and
 * retrieved together; the MemGPT 0.4 client's id by name; an agent's tools with attach and detach by id. An agent's
 * next run sends its new tool list. Another user's tool is 404 everywhere.
 */
public final class LettaToolRoutes {
  private static final int DEFAULT_LIMIT = 50;
  private static final int AGENT_TOOLS_LIMIT = 10;

  private final AgentClient agents;
  private final LettaViews views;
  private final LettaAgentStates states;
  private final ToolRegistry tools;
  private final Toolsets toolsets;
  private final ToolEdits edits;

  public LettaToolRoutes(AgentClient agents, LettaViews views, LettaAgentStates states, Toolsets toolsets,
      ToolEdits edits) {
    this.agents = agents;
    this.views = views;
    this.states = states;
    this.tools = views.tools();
    this.toolsets = toolsets;
    this.edits = edits;
  }

  public void mount(RouteTable router) {
    router.get("/v1/tools").handler(this::list);
    router.post("/v1/tools").handler(this::create);
    router.put("/v1/tools").handler(this::upsert);
    router.get("/v1/tools/name/:tool_name").handler(this::idByName);
    router.get("/v1/tools/:tool_id").handler(this::retrieve);
    router.patch("/v1/tools/:tool_id").handler(this::update);
    router.delete("/v1/tools/:tool_id").handler(this::delete);
    router.get("/v1/agents/:agent_id/tools").handler(this::agentTools);
    router.patch("/v1/agents/:agent_id/tools/attach/:tool_id").handler(ctx -> link(ctx, true));
    router.patch("/v1/agents/:agent_id/tools/detach/:tool_id").handler(ctx -> link(ctx, false));
    router.post("/v1/agents/:agent_id/tools/:tool_name/run").handler(this::run);
  }

  /**
   * Runs one of the agent's own or MCP tools outside a step (Letta's ToolExecutionResult): its arguments are checked
   * against its schema as in a step; a failed run is a 200 with status error. Built-in tools act on the agent's
   * memory inside its steps only.
   */
  private void run(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    JsonObject args = Bodies.optionalObject(body, "args");
    String name = ctx.pathParam("tool_name");
    if (tools.has(name)) {
      throw ApiException.unprocessable("Built-in tools run inside the agent's steps only");
    }
    String userId = Authenticator.user(ctx);
    agents.get(userId, ctx.pathParam("agent_id")).compose(view -> {
      if (!view.agent().tools().contains(name)) {
        return Future.failedFuture(ApiException.notFound("Tool name=" + name + " is not attached to this agent"));
      }
      return toolsets.of(userId, List.of(name));
    }).compose(set -> set.invoke(null, List.of(name), name, args == null ? "{}" : args.encode()))
        .map(outcome -> new JsonObject().put("status", outcome.ok() ? "success" : "error")
            .put("func_return", outcome.output()).put("stdout", lines(outcome.stdout()))
            .put("stderr", lines(outcome.stderr())).putNull("agent_state").putNull("sandbox_config_fingerprint"))
        .onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private static JsonArray lines(String printed) {
    return printed == null || printed.isEmpty() ? new JsonArray() : new JsonArray().add(printed);
  }

  /** One entry of a listing: its id, name, Letta tool_type and view. */
  private record Listed(String id, String name, String type, JsonObject view) {}

  /**
   * Filters: name, names, tool_ids, search (part of the name, any case), tool_types, exclude_tool_types,
   * return_only_letta_tools. Built-in tools first, then the user's own, then their MCP tools.
   */
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
    boolean lettaOnly = "true".equalsIgnoreCase(q.get("return_only_letta_tools"));
    toolsets.load(Authenticator.user(ctx), null).map(user -> {
      List<Listed> matching = listing(user).stream()
          .filter(t -> name == null || t.name().equals(name))
          .filter(t -> names.isEmpty() || names.contains(t.name()))
          .filter(t -> ids.isEmpty() || ids.contains(t.id()))
          .filter(t -> search == null || t.name().toLowerCase(Locale.ROOT).contains(search.toLowerCase(Locale.ROOT)))
          .filter(t -> types.isEmpty() || types.contains(t.type()))
          .filter(t -> !excluded.contains(t.type()))
          .filter(t -> !lettaOnly || t.type().startsWith("letta_"))
          .toList();
      JsonArray out = new JsonArray();
      paging.applyKnown(matching, Listed::id, "tool").forEach(t -> out.add(t.view()));
      return out;
    }).onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private List<Listed> listing(UserTools user) {
    List<Listed> out = new ArrayList<>();
    tools.names().forEach(n -> out.add(new Listed(ToolRegistry.toolId(n), n, tools.toolType(n), views.tool(n))));
    user.custom().forEach(t -> out.add(new Listed(t.id(), t.name(), "custom", views.customTool(t))));
    user.mcp().forEach(t -> out.add(new Listed(t.id(), t.name(), "external_mcp",
        LettaMcpRoutes.tool(t, views.mcpReturnChars()))));
    return out;
  }

  private void retrieve(RoutingContext ctx) {
    String id = ctx.pathParam("tool_id");
    find(Authenticator.user(ctx), id).map(Listed::view)
        .onSuccess(view -> Responses.json(ctx, 200, view)).onFailure(ctx::fail);
  }

  /** A built-in tool, the user's own or MCP tool of this id; 404 otherwise. */
  private Future<Listed> find(String userId, String id) {
    String builtIn = tools.nameOfId(id);
    if (builtIn != null) {
      return Future.succeededFuture(new Listed(id, builtIn, tools.toolType(builtIn), views.tool(builtIn)));
    }
    return toolsets.load(userId, null).compose(user -> {
      CustomTool own = user.customById(id);
      if (own != null) {
        return Future.succeededFuture(new Listed(id, own.name(), "custom", views.customTool(own)));
      }
      McpTool remote = user.mcpById(id);
      if (remote != null) {
        return Future.succeededFuture(new Listed(id, remote.name(), "external_mcp",
            LettaMcpRoutes.tool(remote, views.mcpReturnChars())));
      }
      return Future.failedFuture(notFound(id));
    });
  }

  private void create(RoutingContext ctx) {
    ToolDraft draft = ToolDraft.of(Bodies.object(ctx, false));
    edits.create(Authenticator.user(ctx), draft).map(views::customTool)
        .onSuccess(view -> Responses.json(ctx, 200, view)).onFailure(ctx::fail);
  }

  private void upsert(RoutingContext ctx) {
    ToolDraft draft = ToolDraft.of(Bodies.object(ctx, false));
    edits.upsert(Authenticator.user(ctx), draft).map(views::customTool)
        .onSuccess(view -> Responses.json(ctx, 200, view)).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    ToolDraft draft = ToolDraft.of(Bodies.object(ctx, false));
    String id = ctx.pathParam("tool_id");
    if (tools.nameOfId(id) != null) {
      throw ApiException.unprocessable("Built-in tools cannot be changed");
    }
    edits.update(Authenticator.user(ctx), id, draft).map(views::customTool)
        .onSuccess(view -> Responses.json(ctx, 200, view)).onFailure(ctx::fail);
  }

  /** Letta answers null; the tool is detached from the user's agents first. */
  private void delete(RoutingContext ctx) {
    String id = ctx.pathParam("tool_id");
    if (tools.nameOfId(id) != null) {
      throw ApiException.unprocessable("Built-in tools cannot be deleted");
    }
    edits.delete(Authenticator.user(ctx), id)
        .onSuccess(t -> ctx.response().putHeader("content-type", "application/json").end("null"))
        .onFailure(ctx::fail);
  }

  /** The 0.4 client's get_tool_id: the id of the named tool, as a JSON string. */
  private void idByName(RoutingContext ctx) {
    String name = ctx.pathParam("tool_name");
    Future<String> id = tools.has(name) ? Future.succeededFuture(ToolRegistry.toolId(name))
        : toolsets.load(Authenticator.user(ctx), List.of(name)).compose(user -> {
          CustomTool own = user.custom(name);
          McpTool remote = own == null ? user.mcp(name) : null;
          return own != null ? Future.succeededFuture(own.id()) : remote != null
              ? Future.succeededFuture(remote.id())
              : Future.failedFuture(ApiException.notFound("Tool name=" + name + " not found"));
        });
    id.onSuccess(found -> ctx.response().putHeader("content-type", "application/json")
        .end("\"" + PrefixedIds.prefixed(PrefixedIds.TOOL, found) + "\"")).onFailure(ctx::fail);
  }

  private void agentTools(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, AGENT_TOOLS_LIMIT, false);
    String userId = Authenticator.user(ctx);
    agents.get(userId, ctx.pathParam("agent_id")).compose(view -> states.userTools(userId, List.of(view.agent()))
        .map(user -> {
          List<JsonObject> found = new ArrayList<>();
          view.agent().tools().forEach(n -> {
            JsonObject t = views.tool(n, user);
            if (t != null) {
              found.add(t);
            }
          });
          JsonArray out = new JsonArray();
          paging.applyKnown(found, t -> PrefixedIds.bare(t.getString("id"), PrefixedIds.TOOL), "tool")
              .forEach(out::add);
          return out;
        }))
        .onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  /**
   * Attaches or detaches a tool by id: a built-in one, the user's own, or one of their MCP servers' (which goes by its
   * name, so one whose name another of the agent's tools has is a 409).
   */
  private void link(RoutingContext ctx, boolean attach) {
    String userId = Authenticator.user(ctx);
    String agentId = ctx.pathParam("agent_id");
    String toolId = ctx.pathParam("tool_id");
    find(userId, toolId).compose(tool -> {
      if (!attach || !"external_mcp".equals(tool.type())) {
        return Future.succeededFuture(tool.name());
      }
      return toolsets.load(userId, List.of(tool.name())).compose(user -> {
        boolean clash = tools.has(tool.name()) || user.custom(tool.name()) != null
            || user.mcp().stream().anyMatch(m -> m.name().equals(tool.name()) && !m.id().equals(toolId));
        return clash ? Future.failedFuture(ApiException.conflict("Another tool is already named '" + tool.name()
            + "': an agent knows its tools by name")) : Future.succeededFuture(tool.name());
      });
    }).compose(name -> agents.linkTool(userId, agentId, name, attach))
        .compose(view -> states.of(userId, view.agent()))
        .onSuccess(state -> Responses.json(ctx, 200, state))
        .onFailure(ctx::fail);
  }

  private static List<String> nonBlank(List<String> values) {
    return values.stream().filter(v -> !v.isBlank()).toList();
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("Tool tool_id=" + id + " not found");
  }
}
