package dev.engram.mcp;

import dev.engram.kernel.Endpoint;
import dev.engram.model.McpServer;
import dev.engram.store.McpServerProtocol.McpToolSync;
import java.util.List;
import java.util.Map;

/**
 * Requests and replies of the MCP verticle, the one owner of the connections to users' MCP servers (and so of their
 * child processes). Registering, changing and deleting a server go through it, so that the rules hold (see
 * {@link McpServerRules}) and a changed or deleted server's connection is closed; reading the stored servers and
 * tools goes straight to the store ({@code store/McpServerClient}).
 */
public final class McpProtocol {
  private McpProtocol() {}

  public static final Endpoint<RegisterServer, Registered> REGISTER =
      Endpoint.of("mcp.server.register", RegisterServer.class, Registered.class);
  public static final Endpoint<UpdateServer, Registered> UPDATE =
      Endpoint.of("mcp.server.update", UpdateServer.class, Registered.class);
  public static final Endpoint<DeleteServer, Deleted> DELETE =
      Endpoint.of("mcp.server.delete", DeleteServer.class, Deleted.class);
  public static final Endpoint<RefreshTools, McpToolSync> REFRESH =
      Endpoint.of("mcp.tools.refresh", RefreshTools.class, McpToolSync.class);
  public static final Endpoint<CallTool, McpToolResult> CALL =
      Endpoint.of("mcp.tool.call", CallTool.class, McpToolResult.class);

  /**
   * Registers {@code server} (its id, user and times are given here) for the user; {@code admin}: the caller used the
   * admin password. Its tools are listed and stored at once when it can be reached.
   */
  public record RegisterServer(String userId, boolean admin, McpServer server) {}
  /**
   * Changes some of a server's fields (null: unchanged); a secret sent back in its masked form keeps the stored one
   * (see {@link SecretMask}). Its type cannot change. Its connection is closed and its tools listed again.
   */
  public record UpdateServer(String userId, boolean admin, String serverId, McpServerPatch patch) {}
  public record McpServerPatch(String name, McpServer.Type type, String command, List<String> args,
      Map<String, String> env, String serverUrl, String authHeader, String authToken,
      Map<String, String> customHeaders) {}
  /** The server as stored, and what listing its tools came to: the changes, or why it could not ({@code error}). */
  public record Registered(McpServer server, McpToolSync tools, String error) {}
  /** Deletes the server and its tools, and closes its connection (a stdio child is killed). */
  public record DeleteServer(String userId, String serverId) {}
  public record Deleted(McpServer server) {}
  /** Lists the server's tools now and stores them (Letta's refresh); an unreachable server is a 502. */
  public record RefreshTools(String userId, String serverId) {}
  /**
   * Calls one of the user's MCP tools by its id with {@code arguments} (a JSON object as plain Java). A tool the user
   * does not have, or not of {@code serverId} when one is named, is a 404; every failure past that is a failed
   * {@link McpToolResult}, never a failed reply.
   */
  public record CallTool(String userId, String serverId, String toolId, Map<String, Object> arguments) {}
}
