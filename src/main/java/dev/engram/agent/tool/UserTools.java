package dev.engram.agent.tool;

import dev.engram.mcp.McpToolSchema;
import dev.engram.model.CustomTool;
import dev.engram.model.McpTool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's tools beyond the built-in ones: their own ({@code custom}) and their MCP servers' ({@code mcp}), as loaded
 * for one purpose (a run, a listing). A name resolves to a built-in tool first, then to the user's own tool, then to
 * the first MCP tool of that name (by server, oldest first); attach refuses an MCP tool whose name is taken already.
 */
public record UserTools(List<CustomTool> custom, List<McpTool> mcp) {
  public static final UserTools NONE = new UserTools(List.of(), List.of());

  public UserTools {
    custom = List.copyOf(custom);
    mcp = List.copyOf(mcp);
  }

  public CustomTool custom(String name) {
    for (CustomTool t : custom) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  public McpTool mcp(String name) {
    for (McpTool t : mcp) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  public CustomTool customById(String id) {
    return custom.stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
  }

  public McpTool mcpById(String id) {
    return mcp.stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
  }

  /** The name of the user's tool with this id (own or MCP), or null. */
  public String nameOfId(String id) {
    CustomTool c = customById(id);
    if (c != null) {
      return c.name();
    }
    McpTool m = mcpById(id);
    return m == null ? null : m.name();
  }

  public boolean has(String name) {
    return custom(name) != null || mcp(name) != null;
  }

  /** The schema of the named tool as the model sees it ({@code request_heartbeat} added), or null. */
  public io.vertx.core.json.JsonObject schema(String name) {
    CustomTool c = custom(name);
    if (c != null) {
      return Schemas.withHeartbeat(c.jsonSchema());
    }
    McpTool m = mcp(name);
    return m == null ? null : Schemas.withHeartbeat(McpToolSchema.jsonSchema(m));
  }

  /** Every name, own tools first, each once. */
  public List<String> names() {
    Map<String, Boolean> out = new LinkedHashMap<>();
    custom.forEach(t -> out.put(t.name(), true));
    mcp.forEach(t -> out.putIfAbsent(t.name(), true));
    return new ArrayList<>(out.keySet());
  }
}
