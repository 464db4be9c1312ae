package dev.engram.agent.tool;

import dev.engram.mcp.McpService;
import dev.engram.sandbox.SandboxClient;
import dev.engram.store.McpServerClient;
import dev.engram.store.ToolClient;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the tools an agent's names stand for. An agent whose tools are all built in gets the shared built-in toolset
 * at once, with no query (the common case stays as cheap as before); otherwise the user's own tools of those names and
 * their MCP tools are read, once per run, so an attach, detach or update takes effect at the agent's next run.
 */
public final class Toolsets {
  private final ToolRegistry builtIns;
  private final Toolset builtInOnly;
  private final ToolClient tools;
  private final McpServerClient mcpTools;
  private final SandboxClient sandbox;
  private final McpService mcp;

  public Toolsets(ToolRegistry builtIns, ToolClient tools, McpServerClient mcpTools, SandboxClient sandbox,
      McpService mcp) {
    this.builtIns = builtIns;
    this.builtInOnly = Toolset.builtIn(builtIns);
    this.tools = tools;
    this.mcpTools = mcpTools;
    this.sandbox = sandbox;
    this.mcp = mcp;
  }

  /** The toolset for an agent of {@code userId} with these tool names. */
  public Future<Toolset> of(String userId, List<String> names) {
    List<String> others = new ArrayList<>();
    for (String name : names) {
      if (!builtIns.has(name)) {
        others.add(name);
      }
    }
    if (others.isEmpty()) {
      return Future.succeededFuture(builtInOnly);
    }
    return load(userId, others).map(user -> new Toolset(builtIns, user, userId, sandbox, mcp));
  }

  /** The user's tools of these names (null: all of them), own and MCP. */
  public Future<UserTools> load(String userId, List<String> names) {
    var own = tools.find(userId, names);
    var remote = mcpTools.find(userId, null).map(all -> names == null ? all
        : all.stream().filter(t -> names.contains(t.name())).toList());
    return Future.all(own, remote).map(both -> new UserTools(own.result(), remote.result()));
  }

}
