package dev.engram.store;

import static dev.engram.store.McpServerProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.McpServer;
import dev.engram.model.McpTool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/** Typed access to the MCP servers and tools of the persistence verticle. */
public final class McpServerClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;

  public McpServerClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<McpServer> create(McpServer server) {
    return ask(CREATE, new CreateMcpServer(server)).map(FoundMcpServer::server);
  }

  public Future<McpServer> get(String userId, String serverId) {
    return ask(GET, new GetMcpServer(userId, serverId)).map(FoundMcpServer::server);
  }

  public Future<List<McpServer>> list(String userId) {
    return ask(LIST, new ListMcpServers(userId)).map(McpServers::servers);
  }

  public Future<McpServer> save(McpServer server) {
    return ask(SAVE, new SaveMcpServer(server)).map(FoundMcpServer::server);
  }

  public Future<McpServer> delete(String userId, String serverId) {
    return ask(DELETE, new DeleteMcpServer(userId, serverId)).map(FoundMcpServer::server);
  }

  public Future<McpToolSync> syncTools(String userId, String serverId, List<McpTool> tools) {
    return ask(TOOLS_SYNC, new SyncMcpTools(userId, serverId, tools));
  }

  public Future<List<McpTool>> tools(String userId, String serverId) {
    return ask(TOOLS_LIST, new ListMcpTools(userId, serverId)).map(McpTools::tools);
  }

  /** The user's MCP tools of these ids that exist, in this order; null: all of the user's MCP tools. */
  public Future<List<McpTool>> find(String userId, List<String> toolIds) {
    return ask(TOOLS_FIND, new FindMcpTools(userId, toolIds)).map(McpTools::tools);
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
