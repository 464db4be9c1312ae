package dev.engram.mcp;

import dev.engram.model.McpServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The live MCP connections, one per registered server: opened at the first use, opened again when the server's
 * configuration changed, when its child exited or after a failure on the way (the next use reconnects), and closed
 * when the server is forgotten or everything closes.
 *
 * <p>Confined to one Vert.x context (the MCP verticle's): every method is called on it and every future completes
 * on it, so the map needs no lock. The SDK works on Reactor's threads; its results come back through
 * {@link Future#fromCompletionStage(java.util.concurrent.CompletionStage, Context)}, and nothing here blocks.
 *
 * <p>A tool call never fails its future: every failure becomes a failed {@link McpToolResult}. A call that certainly
 * never reached the server (a refused connection, a session the restarted server no longer knows) is sent once more
 * on a new connection; any other is not, since a tool may have effects.
 */
public final class McpClients {
  private static final Logger LOG = LoggerFactory.getLogger(McpClients.class);

  private final Context context;
  private final McpSettings settings;
  private final Map<String, McpConnection> connections = new HashMap<>();

  public McpClients(Context context, McpSettings settings) {
    this.context = context;
    this.settings = settings;
  }

  /** The tools the server lists now; a failure says why in words (its message is meant for users). */
  public Future<List<McpSchema.Tool>> listTools(McpServer server) {
    return use(server, McpConnection::listTools, true).recover(e -> Future.failedFuture(
        new IllegalStateException(McpAnswers.failure(server, null, e, settings.callTimeoutMs()), e)));
  }

  /** Calls the tool with {@code arguments}; always succeeds, with a failed result for every failure. */
  public Future<McpToolResult> call(McpServer server, String tool, Map<String, Object> arguments) {
    return use(server, c -> c.call(tool, arguments), true)
        .map(result -> McpAnswers.of(result, settings.maxResultChars()))
        .otherwise(e -> McpToolResult.failed(McpAnswers.capped(
            McpAnswers.failure(server, tool, e, settings.callTimeoutMs()), settings.maxResultChars())));
  }

  private <T> Future<T> use(McpServer server, java.util.function.Function<McpConnection, Mono<T>> operation,
      boolean mayRetry) {
    if (server.type() == McpServer.Type.STDIO && settings.stdio() == McpSettings.StdioPolicy.OFF) {
      return Future.failedFuture(new IllegalStateException(
          "stdio MCP servers are turned off on this server (MCP_STDIO=off)"));
    }
    McpConnection connection;
    Mono<T> request;
    try {
      connection = connection(server);
      request = operation.apply(connection);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Future.fromCompletionStage(request.toFuture(), context).recover(e -> {
      if (!McpAnswers.keepsConnection(e)) {
        drop(server.id(), connection);
      }
      if (mayRetry && McpAnswers.undelivered(e)) {
        LOG.debug("MCP server {}: request not delivered, once more on a new connection", server.name(), e);
        return use(server, operation, false);
      }
      return Future.failedFuture(e);
    });
  }

  /** The server's connection: the open one while it fits the server's configuration and lives, else a new one. */
  private McpConnection connection(McpServer server) {
    McpConnection open = connections.get(server.id());
    if (open != null && open.sameEndpoint(server) && open.alive()) {
      return open;
    }
    if (open != null) {
      drop(server.id(), open);
    }
    McpConnection fresh = new McpConnection(server, settings);
    connections.put(server.id(), fresh);
    return fresh;
  }

  private void drop(String serverId, McpConnection connection) {
    if (connections.get(serverId) == connection) {
      connections.remove(serverId);
    }
    connection.close().subscribe(null, e -> LOG.debug("closing an MCP connection", e));
  }

  /** Closes the server's connection (and kills its child), for a deleted or changed server. */
  public Future<Void> forget(String serverId) {
    McpConnection open = connections.remove(serverId);
    return open == null ? Future.succeededFuture()
        : Future.fromCompletionStage(open.close().toFuture(), context).mapEmpty();
  }

  /** Whether a connection to the server is open now (for tests and status). */
  public boolean isOpen(String serverId) {
    McpConnection open = connections.get(serverId);
    return open != null && open.alive();
  }

  /** Closes every connection; children are killed. */
  public Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    for (String id : List.copyOf(connections.keySet())) {
      closing.add(forget(id));
    }
    return Future.join(closing).mapEmpty();
  }
}
