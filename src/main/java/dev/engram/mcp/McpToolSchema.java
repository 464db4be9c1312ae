package dev.engram.mcp;

import dev.engram.kernel.Json;
import dev.engram.model.McpTool;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An MCP tool as the model and Letta's clients see it: the OpenAI function schema {@code {name, description,
 * parameters}} with the server's input schema as parameters, given Letta's defaults where the server left them out
 * ({@code type: object}, empty {@code properties} and {@code required}). The agents' {@code request_heartbeat} is not
 * added here: the tool registry adds it to every tool alike.
 */
public final class McpToolSchema {
  /** Letta's tool tag of an MCP server's tools: {@code mcp:<server name>}. */
  public static final String TAG_PREFIX = "mcp:";

  private McpToolSchema() {}

  public static Map<String, Object> jsonSchema(McpTool tool) {
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("name", tool.name());
    schema.put("description", tool.description() == null ? "" : tool.description());
    schema.put("parameters", parameters(tool.inputSchema()));
    return schema;
  }

  static Map<String, Object> parameters(Map<String, Object> input) {
    Map<String, Object> params = new LinkedHashMap<>(input);
    params.putIfAbsent("type", "object");
    params.putIfAbsent("properties", new LinkedHashMap<>());
    params.putIfAbsent("required", new ArrayList<>());
    return params;
  }

  /** The tools a server listed, as rows of {@code serverId}: first of each name kept, ids derived, schemas plain. */
  @SuppressWarnings("unchecked")
  static List<McpTool> of(String serverId, String serverName, List<McpSchema.Tool> listed) {
    List<McpTool> out = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (McpSchema.Tool t : listed) {
      if (t.name() != null && names.add(t.name())) {
        Object schema = Json.plain(t.inputSchema());
        out.add(new McpTool(McpToolIds.of(serverId, t.name()), serverId, serverName, t.name(), t.description(),
            schema instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of()));
      }
    }
    return out;
  }
}
