package dev.engram.mcp;

import com.github.f4b6a3.uuid.UuidCreator;
import java.util.UUID;

/**
 * The id of an MCP server's tool: a name-based UUID (version 5) of the server's id and the tool's name. It stays the
 * same when the server's tools are listed again, when Engram restarts and on every node, so that an agent's attached
 * tool keeps naming the same thing; a tool of another server, or of a deleted and re-created one, has another id.
 */
public final class McpToolIds {
  /** The namespace of these ids (a fixed random UUID: they are ours alone). */
  private static final UUID NAMESPACE = UUID.fromString("4f3c6f1e-6b7a-4b8e-9a37-0d2f5c1e9b64");

  private McpToolIds() {}

  public static String of(String serverId, String toolName) {
    return UuidCreator.getNameBasedSha1(NAMESPACE, serverId + "\n" + toolName).toString();
  }
}
