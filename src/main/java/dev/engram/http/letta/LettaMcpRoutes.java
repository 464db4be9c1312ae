package dev.engram.http.letta;

import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.mcp.McpProtocol.Registered;
import dev.engram.mcp.McpService;
import dev.engram.mcp.McpToolResult;
import dev.engram.mcp.McpToolSchema;
import dev.engram.mcp.SecretMask;
import dev.engram.model.McpServer;
import dev.engram.model.McpTool;
import dev.engram.store.McpServerClient;
import dev.engram.store.McpServerProtocol.McpToolSync;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Letta's MCP servers ({@code /v1/mcp-servers}, the 1.12 SDK's {@code client.mcpServers}): register (its tools are
 * listed and stored at once when it answers), list, retrieve, update, delete, its stored tools, one tool, a tool run,
 * and refresh. Secrets (env values, the auth token, custom header values) are rendered masked; sent back masked they
 * stay as stored. A stdio server needs the admin unless {@code MCP_STDIO=users}; see {@code mcp/McpSettings}.
 */
public final class LettaMcpRoutes {
  private final McpService mcp;
  private final McpServerClient store;
  private final int returnCharLimit;

  public LettaMcpRoutes(McpService mcp, McpServerClient store, int returnCharLimit) {
    this.mcp = mcp;
    this.store = store;
    this.returnCharLimit = returnCharLimit;
  }

  public void mount(RouteTable router) {
    router.post("/v1/mcp-servers").handler(this::create);
    router.get("/v1/mcp-servers").handler(this::list);
    router.get("/v1/mcp-servers/:mcp_server_id").handler(this::retrieve);
    router.patch("/v1/mcp-servers/:mcp_server_id").handler(this::update);
    router.delete("/v1/mcp-servers/:mcp_server_id").handler(this::delete);
    router.get("/v1/mcp-servers/:mcp_server_id/tools").handler(this::tools);
    router.get("/v1/mcp-servers/:mcp_server_id/tools/:mcp_tool_id").handler(this::tool);
    router.post("/v1/mcp-servers/:mcp_server_id/tools/:mcp_tool_id/run").handler(this::run);
    router.patch("/v1/mcp-servers/:mcp_server_id/refresh").handler(this::refresh);
  }

  private void create(RoutingContext ctx) {
    McpServer server = LettaMcpRequests.create(Bodies.object(ctx, false));
    mcp.register(Authenticator.user(ctx), Authenticator.isAdmin(ctx), server)
        .onSuccess(r -> Responses.json(ctx, 200, server(r.server()))).onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    store.list(Authenticator.user(ctx)).map(servers -> {
      JsonArray out = new JsonArray();
      servers.forEach(s -> out.add(server(s)));
      return out;
    }).onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private void retrieve(RoutingContext ctx) {
    store.get(Authenticator.user(ctx), ctx.pathParam("mcp_server_id"))
        .onSuccess(s -> Responses.json(ctx, 200, server(s))).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    var patch = LettaMcpRequests.update(Bodies.object(ctx, false));
    mcp.update(Authenticator.user(ctx), Authenticator.isAdmin(ctx), ctx.pathParam("mcp_server_id"), patch)
        .map(Registered::server).onSuccess(s -> Responses.json(ctx, 200, server(s))).onFailure(ctx::fail);
  }

  /** 204, as Letta answers. */
  private void delete(RoutingContext ctx) {
    mcp.delete(Authenticator.user(ctx), ctx.pathParam("mcp_server_id"))
        .onSuccess(s -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  private void tools(RoutingContext ctx) {
    store.tools(Authenticator.user(ctx), ctx.pathParam("mcp_server_id")).map(this::tools)
        .onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private void tool(RoutingContext ctx) {
    String serverId = ctx.pathParam("mcp_server_id");
    String toolId = ctx.pathParam("mcp_tool_id");
    store.tools(Authenticator.user(ctx), serverId).map(tools -> tools.stream().filter(t -> t.id().equals(toolId))
            .findFirst().orElseThrow(() -> ApiException.notFound("Tool tool_id=" + toolId + " not found")))
        .onSuccess(t -> Responses.json(ctx, 200, tool(t))).onFailure(ctx::fail);
  }

  /** Letta's {@code ToolExecutionResult}: a tool that failed, or could not be reached, is a 200 with status error. */
  private void run(RoutingContext ctx) {
    var args = LettaMcpRequests.runArgs(Bodies.object(ctx, false));
    String userId = Authenticator.user(ctx);
    String serverId = ctx.pathParam("mcp_server_id");
    // an unknown server is named as such, before the tool
    store.get(userId, serverId).compose(s -> mcp.call(userId, serverId, ctx.pathParam("mcp_tool_id"), args))
        .onSuccess(r -> Responses.json(ctx, 200, result(r))).onFailure(ctx::fail);
  }

  /** Lists the server's tools now and stores them; Letta's {@code MCPServerResyncResult}. */
  private void refresh(RoutingContext ctx) {
    mcp.refresh(Authenticator.user(ctx), ctx.pathParam("mcp_server_id"))
        .onSuccess(sync -> Responses.json(ctx, 200, sync(sync))).onFailure(ctx::fail);
  }

  /** Letta's {@code StdioMcpServer}, {@code SseMcpServer} or {@code StreamableHTTPMcpServer}, secrets masked. */
  static JsonObject server(McpServer s) {
    JsonObject out = new JsonObject().put("id", PrefixedIds.prefixed(PrefixedIds.MCP_SERVER, s.id()))
        .put("server_name", s.name()).put("mcp_server_type", s.type().wire());
    if (s.type() == McpServer.Type.STDIO) {
      return out.put("command", s.command()).put("args", new JsonArray(s.args()))
          .put("env", new JsonObject(new java.util.LinkedHashMap<>(SecretMask.mask(s.env()))));
    }
    return out.put("server_url", s.serverUrl()).put("auth_header", s.authHeader())
        .put("auth_token", SecretMask.mask(s.authToken()))
        .put("custom_headers", new JsonObject(new java.util.LinkedHashMap<>(SecretMask.mask(s.customHeaders()))));
  }

  private JsonArray tools(List<McpTool> tools) {
    JsonArray out = new JsonArray();
    tools.forEach(t -> out.add(tool(t)));
    return out;
  }

  /** Letta's {@code Tool} of type external_mcp, tagged {@code mcp:<server name>}. */
  JsonObject tool(McpTool t) {
    return tool(t, returnCharLimit);
  }

  static JsonObject tool(McpTool t, int returnCharLimit) {
    String serverId = PrefixedIds.prefixed(PrefixedIds.MCP_SERVER, t.serverId());
    return new JsonObject().put("id", PrefixedIds.prefixed(PrefixedIds.TOOL, t.id())).put("name", t.name())
        .put("description", t.description()).put("tool_type", "external_mcp").put("source_type", "python")
        .put("source_code", null).put("json_schema", new JsonObject(McpToolSchema.jsonSchema(t)))
        .put("args_json_schema", null).put("return_char_limit", returnCharLimit)
        .put("tags", new JsonArray().add(McpToolSchema.TAG_PREFIX + t.serverName()))
        .put("metadata_", new JsonObject().put("mcp", new JsonObject().put("server_name", t.serverName())
            .put("server_id", serverId)));
  }

  private static JsonObject result(McpToolResult r) {
    return new JsonObject().put("status", r.ok() ? "success" : "error").put("func_return", r.text())
        .put("stdout", new JsonArray()).put("stderr", new JsonArray());
  }

  private JsonObject sync(McpToolSync sync) {
    return new JsonObject().put("added", new JsonArray(sync.added())).put("updated", new JsonArray(sync.updated()))
        .put("deleted", new JsonArray(sync.deleted()));
  }
}
