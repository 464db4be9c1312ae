package dev.engram.agent.tool;

import com.networknt.schema.Schema;
import dev.engram.agent.tool.ToolRegistry.Outcome;
import dev.engram.mcp.McpService;
import dev.engram.mcp.McpToolSchema;
import dev.engram.model.CustomTool;
import dev.engram.model.McpTool;
import dev.engram.sandbox.SandboxClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools of one agent for one run: the built-in ones (through the {@link ToolRegistry}), the user's own tools (run
 * in the sandbox with their environment variables) and their MCP servers' tools (called over MCP). It gives the
 * schemas sent to the model and runs one call; the arguments of a tool that is not built in are checked against its
 * JSON schema first, and every failure (bad arguments, a tool that raised, a limit, a server that did not answer) is
 * a failed {@link Outcome} with a message, never a failed future.
 */
public final class Toolset {
  private final ToolRegistry builtIns;
  private final UserTools user;
  private final String userId;
  private final SandboxClient sandbox;
  private final McpService mcp;
  private final Map<String, Schema> compiled = new HashMap<>();
  private List<String> schemasFor;
  private List<JsonObject> schemas;

  Toolset(ToolRegistry builtIns, UserTools user, String userId, SandboxClient sandbox, McpService mcp) {
    this.builtIns = builtIns;
    this.user = user;
    this.userId = userId;
    this.sandbox = sandbox;
    this.mcp = mcp;
  }

  /** The built-in tools only: what an agent without other tools uses (nothing loaded, nothing to run elsewhere). */
  public static Toolset builtIn(ToolRegistry builtIns) {
    return new Toolset(builtIns, UserTools.NONE, null, null, null);
  }

  /** The schemas of the named tools, in this order; names that resolve to nothing (a deleted tool) are left out. */
  public List<JsonObject> schemas(List<String> names) {
    if (user.custom().isEmpty() && user.mcp().isEmpty()) {
      return builtIns.schemas(names);
    }
    if (names != schemasFor) {
      List<JsonObject> out = new ArrayList<>();
      for (String name : names) {
        JsonObject schema = builtIns.has(name) ? builtIns.schema(name) : user.schema(name);
        if (schema != null) {
          out.add(schema);
        }
      }
      schemas = List.copyOf(out);
      schemasFor = names;
    }
    return schemas;
  }

  /**
   * Whether the named tool asks for approval by default: a user's own tool's {@code default_requires_approval}
   * (built-in and MCP tools do not). For the approval rules, which take it as an input.
   */
  public boolean defaultRequiresApproval(String name) {
    CustomTool own = builtIns.has(name) ? null : user.custom(name);
    return own != null && own.defaultRequiresApproval();
  }

  /** Runs one call of {@code name} if it is among {@code allowed}; see {@link ToolRegistry#invoke}. */
  public Future<Outcome> invoke(ToolContext ctx, List<String> allowed, String name, String rawArguments) {
    if (builtIns.has(name) || !allowed.contains(name)) {
      return builtIns.invoke(ctx, allowed, name, rawArguments);
    }
    CustomTool custom = user.custom(name);
    McpTool remote = custom == null ? user.mcp(name) : null;
    if (custom == null && remote == null) {
      return Future.succeededFuture(ToolRegistry.noFunction(name));
    }
    JsonObject args;
    try {
      args = ToolRegistry.arguments(rawArguments);
    } catch (RuntimeException e) {
      return Future.succeededFuture(ToolRegistry.unparsable(name, e));
    }
    boolean heartbeat = ToolRegistry.takeHeartbeat(args);
    Map<String, Object> parameters = parameters(custom != null ? custom.jsonSchema()
        : McpToolSchema.jsonSchema(remote));
    String invalid;
    try {
      invalid = JsonSchemas.check(compiled.computeIfAbsent(name, n -> JsonSchemas.compile(parameters)),
          args.getMap());
    } catch (IllegalArgumentException e) {
      invalid = "its schema cannot be used (" + e.getMessage() + ")";
    }
    if (invalid != null) {
      return Future.succeededFuture(new Outcome("Error calling function " + name + ": " + invalid, false, heartbeat,
          args));
    }
    return custom != null ? runCustom(custom, args, heartbeat) : callMcp(remote, args, heartbeat);
  }

  private Future<Outcome> runCustom(CustomTool tool, JsonObject args, boolean heartbeat) {
    return sandbox.run(tool.sourceCode(), tool.name(), args.getMap(), tool.env(), tool.returnCharLimit(),
            tool.allowNetwork())
        .map(run -> new Outcome(run.toolReturn(tool.name()), run.ok(), heartbeat, args, run.stdout(), run.stderr()))
        .otherwise(e -> new Outcome("Error executing function " + tool.name() + ": " + e.getMessage(), false,
            heartbeat, args));
  }

  private Future<Outcome> callMcp(McpTool tool, JsonObject args, boolean heartbeat) {
    return mcp.call(userId, tool.serverId(), tool.id(), args.getMap())
        .map(r -> new Outcome(r.ok() ? r.text() : "Error executing function " + tool.name() + ": " + r.text(), r.ok(),
            heartbeat, args))
        .otherwise(e -> new Outcome("Error executing function " + tool.name() + ": " + e.getMessage(), false,
            heartbeat, args));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parameters(Map<String, Object> jsonSchema) {
    Object p = jsonSchema.get("parameters");
    return p instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of("type", "object");
  }
}
