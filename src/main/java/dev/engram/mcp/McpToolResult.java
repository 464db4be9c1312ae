package dev.engram.mcp;

/**
 * What a call of an MCP tool came to, for the model and for Letta's {@code ToolExecutionResult}: {@code ok} false
 * for a tool that reported an error and for every failure on the way (the server could not be started or reached,
 * did not answer in time, exited, or answered something that is not MCP), with {@code text} saying which. The text is
 * capped at {@code MCP_MAX_RESULT_CHARS}.
 */
public record McpToolResult(boolean ok, String text) {
  public static McpToolResult failed(String text) {
    return new McpToolResult(false, text);
  }
}
