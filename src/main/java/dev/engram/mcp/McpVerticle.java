package dev.engram.mcp;

import static dev.engram.mcp.McpProtocol.*;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.model.McpServer;
import dev.engram.model.McpTool;
import dev.engram.store.McpServerClient;
import dev.engram.store.McpServerProtocol.McpToolSync;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The owner of the connections to users' MCP servers: one instance per server process, so each registered server has
 * at most one connection (and one child process). Serves {@link McpProtocol}; the rules of registration are
 * {@link McpServerRules}'s, the connections {@link McpClients}'. Stopping it closes every connection and kills every
 * child.
 */
public final class McpVerticle extends VerticleBase {
  private final McpSettings settings;
  private final McpServerRules rules;
  private McpServerClient store;
  private McpClients clients;

  public McpVerticle(McpSettings settings) {
    this.settings = settings;
    this.rules = new McpServerRules(settings);
  }

  @Override
  public Future<?> start() {
    store = new McpServerClient(vertx);
    clients = new McpClients(context, settings);
    return Future.all(List.of(
        REGISTER.serve(vertx, this::register),
        UPDATE.serve(vertx, this::update),
        DELETE.serve(vertx, this::delete),
        REFRESH.serve(vertx, this::refresh),
        CALL.serve(vertx, this::call)));
  }

  @Override
  public Future<?> stop() {
    return clients == null ? Future.succeededFuture() : clients.closeAll();
  }

  private Future<Registered> register(RegisterServer req) {
    Instant now = Instant.now();
    McpServer s = req.server();
    McpServer draft = rules.checked(new McpServer(UuidCreator.getTimeOrderedEpoch().toString(), req.userId(),
        s.name(), s.type(), s.command(), s.args(), s.env(), s.serverUrl(), s.authHeader(), s.authToken(),
        s.customHeaders(), now, now), req.admin());
    return addressChecked(draft, req.admin()).compose(store::create).compose(this::withTools);
  }

  private Future<Registered> update(UpdateServer req) {
    return store.get(req.userId(), req.serverId()).compose(stored -> {
      McpServer changed = rules.checked(patched(stored, req.patch()), req.admin());
      boolean urlChanged = !java.util.Objects.equals(changed.serverUrl(), stored.serverUrl());
      return (urlChanged ? addressChecked(changed, req.admin()) : Future.succeededFuture(changed))
          .compose(store::save)
          .compose(saved -> clients.forget(saved.id()).map(saved))
          .compose(this::withTools);
    });
  }

  static McpServer patched(McpServer s, McpServerPatch p) {
    if (p.type() != null && p.type() != s.type()) {
      throw ApiException.unprocessable("mcp_server_type cannot change from " + s.type().wire() + " to "
          + p.type().wire() + ": delete the server and register it again");
    }
    return new McpServer(s.id(), s.userId(), p.name() != null ? p.name() : s.name(), s.type(),
        p.command() != null ? p.command() : s.command(), p.args() != null ? p.args() : s.args(),
        p.env() != null ? SecretMask.keep(p.env(), s.env()) : s.env(),
        p.serverUrl() != null ? p.serverUrl() : s.serverUrl(),
        p.authHeader() != null ? p.authHeader() : s.authHeader(),
        p.authToken() != null ? SecretMask.keep(p.authToken(), s.authToken()) : s.authToken(),
        p.customHeaders() != null ? SecretMask.keep(p.customHeaders(), s.customHeaders()) : s.customHeaders(),
        s.createdAt(), s.updatedAt());
  }

  /** The URL's address is checked off the event loop (it resolves the host name). */
  private Future<McpServer> addressChecked(McpServer server, boolean admin) {
    if (server.type() == McpServer.Type.STDIO) {
      return Future.succeededFuture(server);
    }
    return vertx.executeBlocking(() -> {
      rules.checkAddress(server, admin);
      return server;
    }, false);
  }

  /**
   * Lists and stores the server's tools. The server is stored already: one that cannot be reached now stays
   * registered (as in Letta), and a refresh lists its tools later.
   */
  private Future<Registered> withTools(McpServer server) {
    return syncTools(server).map(sync -> new Registered(server, sync, null))
        .otherwise(e -> new Registered(server, null, e.getMessage()));
  }

  private Future<McpToolSync> syncTools(McpServer server) {
    return clients.listTools(server)
        .recover(e -> Future.failedFuture(new ApiException(ErrorKind.UPSTREAM, e.getMessage())))
        .compose(listed -> store.syncTools(server.userId(), server.id(),
            McpToolSchema.of(server.id(), server.name(), listed)));
  }

  private Future<Deleted> delete(DeleteServer req) {
    return store.delete(req.userId(), req.serverId())
        .compose(gone -> clients.forget(gone.id()).map(new Deleted(gone)));
  }

  private Future<McpToolSync> refresh(RefreshTools req) {
    return store.get(req.userId(), req.serverId()).compose(this::syncTools);
  }

  private Future<McpToolResult> call(CallTool req) {
    return store.find(req.userId(), List.of(req.toolId())).compose(found -> {
      McpTool tool = found.isEmpty() ? null : found.get(0);
      if (tool == null || (req.serverId() != null && !req.serverId().equals(tool.serverId()))) {
        return Future.failedFuture(ApiException.notFound("Tool tool_id=" + req.toolId() + " not found"));
      }
      return store.get(req.userId(), tool.serverId()).compose(server -> clients.call(server, tool.name(),
          req.arguments() == null ? Map.of() : req.arguments()));
    });
  }
}
