package dev.engram.store;

import dev.engram.kernel.Endpoint;
import dev.engram.model.McpServer;
import dev.engram.model.McpTool;
import java.util.List;

/**
 * Requests and replies of the persistence verticle about users' MCP servers and the tools they listed. Every request
 * names the user it acts for; another user's server or tool is as unknown as one that does not exist (404). The
 * rules a server must meet (who may register stdio commands, which URLs) are checked before, by {@code mcp/}.
 */
public final class McpServerProtocol {
  private McpServerProtocol() {}

  public static final Endpoint<CreateMcpServer, FoundMcpServer> CREATE =
      Endpoint.of("store.mcp.create", CreateMcpServer.class, FoundMcpServer.class);
  public static final Endpoint<GetMcpServer, FoundMcpServer> GET =
      Endpoint.of("store.mcp.get", GetMcpServer.class, FoundMcpServer.class);
  public static final Endpoint<ListMcpServers, McpServers> LIST =
      Endpoint.of("store.mcp.list", ListMcpServers.class, McpServers.class);
  public static final Endpoint<SaveMcpServer, FoundMcpServer> SAVE =
      Endpoint.of("store.mcp.save", SaveMcpServer.class, FoundMcpServer.class);
  public static final Endpoint<DeleteMcpServer, FoundMcpServer> DELETE =
      Endpoint.of("store.mcp.delete", DeleteMcpServer.class, FoundMcpServer.class);
  public static final Endpoint<SyncMcpTools, McpToolSync> TOOLS_SYNC =
      Endpoint.of("store.mcp.tools.sync", SyncMcpTools.class, McpToolSync.class);
  public static final Endpoint<ListMcpTools, McpTools> TOOLS_LIST =
      Endpoint.of("store.mcp.tools.list", ListMcpTools.class, McpTools.class);
  public static final Endpoint<FindMcpTools, McpTools> TOOLS_FIND =
      Endpoint.of("store.mcp.tools.find", FindMcpTools.class, McpTools.class);

  /** Stores a new server (its id, user and times as given); a name the user already has is a 409. */
  public record CreateMcpServer(McpServer server) {}
  public record GetMcpServer(String userId, String serverId) {}
  /** The user's servers, oldest first. */
  public record ListMcpServers(String userId) {}
  /**
   * Replaces the stored server of {@code server.id()} and {@code server.userId()} with {@code server} (its creation
   * time kept, its update time now); 404 when there is none, 409 for a name the user has for another server.
   */
  public record SaveMcpServer(McpServer server) {}
  public record DeleteMcpServer(String userId, String serverId) {}
  /**
   * Makes {@code tools} (as the server lists them now, in its order) the server's tools: the ones gone are deleted,
   * the others inserted or updated. Each tool's id must be {@code McpToolIds.of(server, name)}.
   */
  public record SyncMcpTools(String userId, String serverId, List<McpTool> tools) {}
  /** The server's tools as they were last listed; 404 for an unknown server. */
  public record ListMcpTools(String userId, String serverId) {}
  /**
   * The user's MCP tools of these ids (the ones found, in the order asked; null ids: all the user's tools, by server
   * then position). For the tool registry: an agent's attached tools, or every tool to list.
   */
  public record FindMcpTools(String userId, List<String> toolIds) {}

  public record FoundMcpServer(McpServer server) {}
  public record McpServers(List<McpServer> servers) {}
  public record McpTools(List<McpTool> tools) {}
  /** What a sync changed, by tool name (Letta's {@code MCPServerResyncResult}), and the tools now stored. */
  public record McpToolSync(List<String> added, List<String> updated, List<String> deleted, List<McpTool> tools) {}
}
