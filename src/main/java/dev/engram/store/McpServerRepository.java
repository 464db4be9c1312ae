package dev.engram.store;

import static dev.engram.store.McpServerProtocol.*;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.McpServer;
import dev.engram.model.McpTool;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** Users' MCP servers and the tools each last listed. */
final class McpServerRepository {
  private static final String COLUMNS = McpServerRows.SERVER_COLUMNS;
  private static final String INSERT = "insert into mcp_servers(" + COLUMNS + ") values ($1, $2, $3, $4, $5, $6, $7,"
      + " $8, $9, $10, $11, $12, $13) returning " + COLUMNS;
  private static final String GET = "select " + COLUMNS + " from mcp_servers where id = $1 and user_id = $2";
  private static final String LIST = "select " + COLUMNS + " from mcp_servers where user_id = $1"
      + " order by created_at, id";
  private static final String SAVE = """
      update mcp_servers set name = $3, server_type = $4, command = $5, args = $6, env = $7, server_url = $8,
        auth_header = $9, auth_token = $10, custom_headers = $11, updated_at = now()
      where id = $1 and user_id = $2
      returning\s""" + COLUMNS;
  private static final String DELETE = "delete from mcp_servers where id = $1 and user_id = $2 returning " + COLUMNS;
  private static final String LOCK = "select name from mcp_servers where id = $1 and user_id = $2 for update";
  private static final String TOOLS_OF = "select " + McpServerRows.TOOL_COLUMNS + """
       from mcp_tools t join mcp_servers s on s.id = t.server_id
      where t.server_id = $1 and s.user_id = $2 order by t.position""";
  private static final String TOOLS_BY_IDS = "select " + McpServerRows.TOOL_COLUMNS + """
       from mcp_tools t join mcp_servers s on s.id = t.server_id
      where t.id = any($1) and s.user_id = $2""";
  private static final String TOOLS_OF_USER = "select " + McpServerRows.TOOL_COLUMNS + """
       from mcp_tools t join mcp_servers s on s.id = t.server_id
      where s.user_id = $1 order by s.created_at, s.id, t.position""";
  private static final String DELETE_GONE = "delete from mcp_tools where server_id = $1 and not (name = any($2))";
  private static final String UPSERT_TOOL = """
      insert into mcp_tools(id, server_id, name, description, input_schema, position) values ($1, $2, $3, $4, $5, $6)
      on conflict (server_id, name) do update
        set description = excluded.description, input_schema = excluded.input_schema, position = excluded.position""";

  private final Pool pool;

  McpServerRepository(Pool pool) {
    this.pool = pool;
  }

  Future<FoundMcpServer> create(CreateMcpServer req) {
    return pool.preparedQuery(INSERT).execute(McpServerRows.params(req.server()))
        .map(rows -> new FoundMcpServer(McpServerRows.server(rows.iterator().next())))
        .recover(e -> Future.failedFuture(nameTaken(e, req.server().name())));
  }

  Future<FoundMcpServer> get(GetMcpServer req) {
    UUID id = Ids.parse(req.serverId());
    if (id == null) {
      return Future.failedFuture(notFound(req.serverId()));
    }
    return pool.preparedQuery(GET).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows ->
        rows.size() == 0 ? Future.failedFuture(notFound(req.serverId()))
            : Future.succeededFuture(new FoundMcpServer(McpServerRows.server(rows.iterator().next()))));
  }

  Future<McpServers> list(ListMcpServers req) {
    return pool.preparedQuery(LIST).execute(Tuple.of(UUID.fromString(req.userId())))
        .map(rows -> new McpServers(UserRepository.collect(rows, McpServerRows::server)));
  }

  Future<FoundMcpServer> save(SaveMcpServer req) {
    McpServer s = req.server();
    UUID id = Ids.parse(s.id());
    if (id == null) {
      return Future.failedFuture(notFound(s.id()));
    }
    Tuple params = McpServerRows.params(s);
    // the same columns without the times: the stored creation time stays, the update time is now()
    Tuple update = Tuple.tuple();
    for (int i = 0; i < 11; i++) {
      update.addValue(params.getValue(i));
    }
    return pool.preparedQuery(SAVE).execute(update).compose(rows -> rows.size() == 0
            ? Future.failedFuture(notFound(s.id()))
            : Future.succeededFuture(new FoundMcpServer(McpServerRows.server(rows.iterator().next()))))
        .recover(e -> Future.failedFuture(nameTaken(e, s.name())));
  }

  Future<FoundMcpServer> delete(DeleteMcpServer req) {
    UUID id = Ids.parse(req.serverId());
    if (id == null) {
      return Future.failedFuture(notFound(req.serverId()));
    }
    return pool.preparedQuery(DELETE).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows ->
        rows.size() == 0 ? Future.failedFuture(notFound(req.serverId()))
            : Future.succeededFuture(new FoundMcpServer(McpServerRows.server(rows.iterator().next()))));
  }

  Future<McpTools> tools(ListMcpTools req) {
    return get(new GetMcpServer(req.userId(), req.serverId())).compose(found -> pool.preparedQuery(TOOLS_OF)
        .execute(Tuple.of(UUID.fromString(found.server().id()), UUID.fromString(req.userId())))
        .map(rows -> new McpTools(UserRepository.collect(rows, McpServerRows::tool))));
  }

  Future<McpTools> find(FindMcpTools req) {
    UUID user = UUID.fromString(req.userId());
    if (req.toolIds() == null) {
      return pool.preparedQuery(TOOLS_OF_USER).execute(Tuple.of(user))
          .map(rows -> new McpTools(UserRepository.collect(rows, McpServerRows::tool)));
    }
    List<UUID> ids = new ArrayList<>();
    for (String id : req.toolIds()) {
      UUID parsed = Ids.parse(id);
      if (parsed != null) {
        ids.add(parsed);
      }
    }
    if (ids.isEmpty()) {
      return Future.succeededFuture(new McpTools(List.of()));
    }
    return pool.preparedQuery(TOOLS_BY_IDS).execute(Tuple.of(ids.toArray(UUID[]::new), user)).map(rows -> {
      Map<String, McpTool> byId = new HashMap<>();
      rows.forEach(r -> {
        McpTool t = McpServerRows.tool(r);
        byId.put(t.id(), t);
      });
      List<McpTool> ordered = new ArrayList<>();
      for (String id : req.toolIds()) {
        McpTool t = byId.remove(id);
        if (t != null) {
          ordered.add(t);
        }
      }
      return new McpTools(ordered);
    });
  }

  /** Replaces the server's tools in one transaction, the server's row locked so that two syncs take turns. */
  Future<McpToolSync> sync(SyncMcpTools req) {
    UUID server = Ids.parse(req.serverId());
    if (server == null) {
      return Future.failedFuture(notFound(req.serverId()));
    }
    UUID user = UUID.fromString(req.userId());
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK).execute(Tuple.of(server, user))
        .compose(locked -> locked.size() == 0 ? Future.failedFuture(notFound(req.serverId()))
            : conn.preparedQuery(TOOLS_OF).execute(Tuple.of(server, user)))
        .compose(rows -> {
          Map<String, McpTool> before = new LinkedHashMap<>();
          rows.forEach(r -> {
            McpTool t = McpServerRows.tool(r);
            before.put(t.name(), t);
          });
          return write(conn, server, req.tools()).compose(v -> conn.preparedQuery(TOOLS_OF).execute(
              Tuple.of(server, user))).map(after -> changes(before, req.tools(),
                  UserRepository.collect(after, McpServerRows::tool)));
        }));
  }

  private static Future<Void> write(SqlConnection conn, UUID server, List<McpTool> tools) {
    String[] names = tools.stream().map(McpTool::name).toArray(String[]::new);
    Future<?> deleted = conn.preparedQuery(DELETE_GONE).execute(Tuple.of(server).addArrayOfString(names));
    if (tools.isEmpty()) {
      return deleted.mapEmpty();
    }
    List<Tuple> batch = new ArrayList<>(tools.size());
    for (int i = 0; i < tools.size(); i++) {
      McpTool t = tools.get(i);
      batch.add(Tuple.of(UUID.fromString(t.id()), server, t.name(), t.description(),
          new JsonObject(new LinkedHashMap<>(t.inputSchema())), i));
    }
    return deleted.compose(v -> conn.preparedQuery(UPSERT_TOOL).executeBatch(batch)).mapEmpty();
  }

  private static McpToolSync changes(Map<String, McpTool> before, List<McpTool> now, List<McpTool> stored) {
    List<String> added = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    for (McpTool t : now) {
      McpTool old = before.remove(t.name());
      if (old == null) {
        added.add(t.name());
      } else if (!Objects.equals(old.description(), t.description())
          || !new JsonObject(old.inputSchema()).equals(new JsonObject(t.inputSchema()))) {
        updated.add(t.name());
      }
    }
    return new McpToolSync(added, updated, List.copyOf(before.keySet()), stored);
  }

  private static Throwable nameTaken(Throwable e, String name) {
    return UserRepository.isUniqueViolation(e)
        ? ApiException.conflict("An MCP server named '" + name + "' already exists") : e;
  }

  static ApiException notFound(String serverId) {
    return ApiException.notFound("MCP server mcp_server_id=" + serverId + " not found");
  }
}
