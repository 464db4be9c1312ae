package dev.engram.http.letta;

import dev.engram.http.Bodies;
import dev.engram.kernel.Json;
import dev.engram.mcp.McpProtocol.McpServerPatch;
import dev.engram.model.McpServer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of Letta's {@code /v1/mcp-servers} (the 1.12 SDK's {@code McpServerCreateParams},
 * {@code McpServerUpdateParams} and {@code ToolRunParams}): {@code server_name} beside a {@code config} of one of the
 * three types. A config without {@code mcp_server_type} is a stdio one when it has a {@code command} and a streamable
 * HTTP one when it has a {@code server_url}. Fields of another type's config are ignored, as Letta's typed configs
 * do; the values are checked by {@code mcp/McpServerRules}.
 */
final class LettaMcpRequests {
  private LettaMcpRequests() {}

  /** The server to register (no id, user or times yet). */
  static McpServer create(JsonObject body) {
    String name = Bodies.requiredString(body, "server_name");
    JsonObject config = requiredConfig(body);
    McpServer.Type type = type(config, true);
    if (type == McpServer.Type.STDIO) {
      List<String> args = Bodies.optionalStrings(config, "args");
      return new McpServer(null, null, name, type, Bodies.requiredString(config, "command"),
          args == null ? List.of() : args, strings(config, "env"), null, null, null, Map.of(), null, null);
    }
    return new McpServer(null, null, name, type, null, List.of(), Map.of(), Bodies.requiredString(config,
        "server_url"), Bodies.optionalString(config, "auth_header"), Bodies.optionalString(config, "auth_token"),
        strings(config, "custom_headers"), null, null);
  }

  /** The change of a server: fields absent or null stay as they are. */
  static McpServerPatch update(JsonObject body) {
    String name = Bodies.optionalString(body, "server_name");
    JsonObject config = requiredConfig(body);
    McpServer.Type type = type(config, false);
    return new McpServerPatch(name, type, Bodies.optionalString(config, "command"),
        Bodies.optionalStrings(config, "args"), config.getValue("env") == null ? null : strings(config, "env"),
        Bodies.optionalString(config, "server_url"), Bodies.optionalString(config, "auth_header"),
        Bodies.optionalString(config, "auth_token"),
        config.getValue("custom_headers") == null ? null : strings(config, "custom_headers"));
  }

  /** The arguments of a tool run ({@code args}, a JSON object; none: no arguments). */
  static Map<String, Object> runArgs(JsonObject body) {
    JsonObject args = Bodies.optionalObject(body, "args");
    return args == null ? Map.of() : Json.plainMap(args);
  }

  private static JsonObject requiredConfig(JsonObject body) {
    JsonObject config = Bodies.optionalObject(body, "config");
    if (config == null) {
      throw Bodies.invalid("config is required: an object with mcp_server_type stdio, sse or streamable_http");
    }
    return config;
  }

  /** The config's type; without one, what its fields say (or null for an update that does not say). */
  private static McpServer.Type type(JsonObject config, boolean required) {
    String wire = Bodies.optionalString(config, "mcp_server_type");
    if (wire == null) {
      if (config.getValue("command") != null) {
        return McpServer.Type.STDIO;
      }
      if (config.getValue("server_url") != null || required) {
        return McpServer.Type.STREAMABLE_HTTP;
      }
      return null;
    }
    McpServer.Type type = McpServer.Type.of(wire);
    if (type == null) {
      throw Bodies.invalid("config.mcp_server_type must be one of stdio, sse, streamable_http, got '" + wire + "'");
    }
    return type;
  }

  /** A JSON object of strings (env, custom_headers); absent or null: none. */
  private static Map<String, String> strings(JsonObject config, String field) {
    JsonObject json = Bodies.optionalObject(config, field);
    Map<String, String> out = new LinkedHashMap<>();
    if (json != null) {
      for (String key : json.fieldNames()) {
        if (!(json.getValue(key) instanceof String value)) {
          throw Bodies.invalid(field + "." + key + " must be a string");
        }
        out.put(key, value);
      }
    }
    return out;
  }
}
