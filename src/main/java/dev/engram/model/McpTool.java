package dev.engram.model;

import java.util.Map;

/**
 * One tool of a registered MCP server, as the server last listed it: its name, description and JSON input schema.
 * Its {@code id} is derived from the server's id and the tool's name (see {@code mcp/McpToolIds}), so a tool keeps its
 * id across refreshes and restarts, and an agent that has it attached finds it again.
 */
public record McpTool(
    String id,
    String serverId,
    String serverName,
    String name,
    String description,
    Map<String, Object> inputSchema) {

  public McpTool {
    inputSchema = inputSchema == null ? Map.of() : inputSchema;
  }
}
