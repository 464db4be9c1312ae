package dev.engram.http.api;

import dev.engram.agent.tool.ToolRegistry;
import dev.engram.agent.tool.Toolsets;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.http.ToolDraft;
import dev.engram.http.ToolEdits;
import dev.engram.kernel.ApiException;
import dev.engram.mcp.SecretMask;
import dev.engram.model.CustomTool;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The MemGPT 0.3.19+ tools (letta-memgpt.md §2.7), per user and by name: list (the built-in tools, then the user's
 * own), get, create ({@code update: true} replaces the user's tool of the same name) and delete. The same rows as
 * {@code /v1/tools}. As in MemGPT the schema is derived from the source; {@code json_schema} gives the name at most.
 */
public final class ToolRoutes {
  private final ToolRegistry tools;
  private final Toolsets toolsets;
  private final ToolEdits edits;

  public ToolRoutes(ToolRegistry tools, Toolsets toolsets, ToolEdits edits) {
    this.tools = tools;
    this.toolsets = toolsets;
    this.edits = edits;
  }

  public void mount(RouteTable router) {
    router.get("/api/tools").handler(this::list);
    router.post("/api/tools").handler(this::create);
    router.get("/api/tools/:tool_name").handler(this::get);
    router.delete("/api/tools/:tool_name").handler(this::delete);
  }

  private void list(RoutingContext ctx) {
    toolsets.load(Authenticator.user(ctx), null).map(user -> {
      JsonArray out = new JsonArray();
      tools.names().forEach(name -> out.add(builtIn(name)));
      user.custom().forEach(t -> out.add(custom(t)));
      return new JsonObject().put("tools", out);
    }).onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    String name = ctx.pathParam("tool_name");
    if (tools.has(name)) {
      Responses.json(ctx, 200, builtIn(name));
      return;
    }
    own(Authenticator.user(ctx), name).map(ToolRoutes::custom)
        .onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    ToolDraft given = ToolDraft.of(body);
    JsonObject schema = Bodies.optionalObject(body, "json_schema");
    String name = given.name() != null ? given.name() : schema == null ? null : schema.getString("name");
    // MemGPT derives the schema from the source whatever json_schema says, but its name
    ToolDraft draft = new ToolDraft(name, given.description(), given.sourceCode(), given.sourceType(), null,
        given.tags(), given.returnCharLimit(), given.defaultRequiresApproval(), given.env(), given.allowNetwork(),
        given.metadata());
    boolean update = Bodies.optionalBoolean(body, "update", false);
    String userId = Authenticator.user(ctx);
    (update ? edits.upsert(userId, draft) : edits.create(userId, draft)).map(ToolRoutes::custom)
        .onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String name = ctx.pathParam("tool_name");
    if (tools.has(name)) {
      throw ApiException.unprocessable("Built-in tools cannot be deleted");
    }
    String userId = Authenticator.user(ctx);
    own(userId, name).compose(t -> edits.delete(userId, t.id()))
        .onSuccess(t -> Responses.json(ctx, 200, new JsonObject().put("message", "Tool " + name + " deleted")))
        .onFailure(ctx::fail);
  }

  private Future<CustomTool> own(String userId, String name) {
    return toolsets.load(userId, List.of(name)).compose(user -> user.custom(name) != null
        ? Future.succeededFuture(user.custom(name))
        : Future.failedFuture(ApiException.notFound("Tool " + name + " not found")));
  }

  /** ToolModel of the 0.3 API. */
  private JsonObject builtIn(String name) {
    return new JsonObject().put("name", name).put("id", ToolRegistry.toolId(name))
        .put("tags", new JsonArray().add("memgpt-base")).put("source_type", "python").putNull("source_code")
        .put("json_schema", tools.schema(name).copy());
  }

  /** A user's tool as the 0.3 API's ToolModel, with its description and its environment variables masked. */
  static JsonObject custom(CustomTool t) {
    return new JsonObject().put("name", t.name()).put("id", t.id()).put("tags", new JsonArray(t.tags()))
        .put("source_type", t.sourceType()).put("source_code", t.sourceCode())
        .put("json_schema", new JsonObject(Json.encode(t.jsonSchema()))).put("description", t.description())
        .put("return_char_limit", t.returnCharLimit())
        .put("env", new JsonObject(new java.util.LinkedHashMap<>(SecretMask.mask(t.env()))));
  }
}
