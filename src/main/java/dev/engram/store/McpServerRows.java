package dev.engram.store;

import dev.engram.kernel.Json;
import dev.engram.model.McpServer;
import dev.engram.model.McpTool;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Row-to-record mapping of MCP servers and their tools. */
final class McpServerRows {
  private McpServerRows() {}

  static final String SERVER_COLUMNS = """
      id, user_id, name, server_type, command, args, env, server_url, auth_header, auth_token, custom_headers,
      created_at, updated_at""";
  /** A tool's columns with its server's name, from {@code mcp_tools t join mcp_servers s}. */
  static final String TOOL_COLUMNS = "t.id, t.server_id, s.name as server_name, t.name, t.description, t.input_schema";

  static McpServer server(Row r) {
    return new McpServer(r.getUUID("id").toString(), r.getUUID("user_id").toString(), r.getString("name"),
        McpServer.Type.of(r.getString("server_type")), r.getString("command"),
        Arrays.asList(r.getArrayOfStrings("args")), strings(r.getJsonObject("env")), r.getString("server_url"),
        r.getString("auth_header"), r.getString("auth_token"), strings(r.getJsonObject("custom_headers")),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("updated_at")));
  }

  /** The parameters of a server in {@link #SERVER_COLUMNS} order. */
  static Tuple params(McpServer s) {
    return Tuple.tuple(List.of(UUID.fromString(s.id()), UUID.fromString(s.userId()), s.name(), s.type().wire()))
        .addValue(s.command()).addArrayOfString(s.args().toArray(String[]::new))
        .addValue(new JsonObject(new LinkedHashMap<>(s.env()))).addValue(s.serverUrl()).addValue(s.authHeader())
        .addValue(s.authToken()).addValue(new JsonObject(new LinkedHashMap<>(s.customHeaders())))
        .addValue(Rows.offset(s.createdAt())).addValue(Rows.offset(s.updatedAt()));
  }

  static McpTool tool(Row r) {
    return new McpTool(r.getUUID("id").toString(), r.getUUID("server_id").toString(), r.getString("server_name"),
        r.getString("name"), r.getString("description"), Json.plainMap(r.getJsonObject("input_schema")));
  }

  private static Map<String, String> strings(JsonObject json) {
    Map<String, String> out = new LinkedHashMap<>();
    if (json != null) {
      json.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return out;
  }
}
