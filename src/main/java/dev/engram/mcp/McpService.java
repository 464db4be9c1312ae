package dev.engram.mcp;

import static dev.engram.mcp.McpProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.McpServer;
import dev.engram.store.McpServerProtocol.McpToolSync;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.Map;

/**
 * Typed access to the MCP verticle, for the routes and the agents' tool registry. The replies wait as long as a
 * server may take to start and answer, plus a margin: the verticle bounds every request itself.
 */
public final class McpService {
  private final Vertx vertx;
  private final DeliveryOptions options;

  public McpService(Vertx vertx, McpSettings settings) {
    this.vertx = vertx;
    long longest = settings.connectTimeoutMs() + settings.callTimeoutMs() + StdioChild.GRACE_MS + 15_000;
    this.options = new DeliveryOptions().setSendTimeout(longest);
  }

  public Future<Registered> register(String userId, boolean admin, McpServer server) {
    return ask(REGISTER, new RegisterServer(userId, admin, server));
  }

  public Future<Registered> update(String userId, boolean admin, String serverId, McpServerPatch patch) {
    return ask(UPDATE, new UpdateServer(userId, admin, serverId, patch));
  }

  public Future<McpServer> delete(String userId, String serverId) {
    return ask(DELETE, new DeleteServer(userId, serverId)).map(Deleted::server);
  }

  public Future<McpToolSync> refresh(String userId, String serverId) {
    return ask(REFRESH, new RefreshTools(userId, serverId));
  }

  /**
   * Calls the user's MCP tool {@code toolId} ({@code serverId}: the server it must belong to, or null). Fails only
   * for an unknown tool (404); every other failure is a failed {@link McpToolResult}.
   */
  public Future<McpToolResult> call(String userId, String serverId, String toolId, Map<String, Object> arguments) {
    return ask(CALL, new CallTool(userId, serverId, toolId, arguments));
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, options);
  }
}
