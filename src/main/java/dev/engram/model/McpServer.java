package dev.engram.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An MCP server a user registered as a source of tools (Letta's {@code /v1/mcp-servers}). A {@link Type#STDIO} server
 * is a command that Engram runs as a child process ({@code command}, {@code args}, {@code env}); the others are
 * reached at {@code serverUrl}, with an optional {@code authHeader: authToken} and {@code customHeaders}. The values
 * of {@code env}, {@code authToken} and {@code customHeaders} are secrets: stored as given, never rendered back in full
 * (see {@code mcp/SecretMask}).
 */
public record McpServer(
    String id,
    String userId,
    String name,
    Type type,
    String command,
    List<String> args,
    Map<String, String> env,
    String serverUrl,
    String authHeader,
    String authToken,
    Map<String, String> customHeaders,
    Instant createdAt,
    Instant updatedAt) {

  /** The transports Letta offers, by their wire names ({@code mcp_server_type}). */
  public enum Type {
    STDIO("stdio"), SSE("sse"), STREAMABLE_HTTP("streamable_http");

    public final String wire;

    Type(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }

    /** The type of this wire name, or null. */
    @JsonCreator
    public static Type of(String wire) {
      for (Type t : values()) {
        if (t.wire.equals(wire)) {
          return t;
        }
      }
      return null;
    }
  }

  public McpServer {
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : Map.copyOf(env);
    customHeaders = customHeaders == null ? Map.of() : Map.copyOf(customHeaders);
  }
}
