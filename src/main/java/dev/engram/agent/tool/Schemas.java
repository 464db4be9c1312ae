package dev.engram.agent.tool;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Small builders for the function schemas, so each tool's schema reads as a declaration. */
final class Schemas {
  static final String REQUEST_HEARTBEAT = "request_heartbeat";
  private static final String HEARTBEAT_DESCRIPTION = "Request an immediate heartbeat after function execution. Set to"
      + " 'true' if you want to send a follow-up message or run a follow-up function.";
  static final String UNICODE_CONTENT =
      "Content to write to the memory. All unicode (including emojis) are supported.";
  static final String SECTION = "Section of the memory to be edited (persona or human).";
  static final String LABEL = "Section of the memory to be edited, identified by its label.";
  static final String PAGE = "Allows you to page through results. Only use on a follow-up query. "
      + "Defaults to 0 (first page).";

  private Schemas() {}

  /**
   * The schema the model sees of a tool that is not built in: its {@code json_schema} with the
   * {@code request_heartbeat} parameter added, as Letta adds it to every tool of a MemGPT agent.
   */
  static JsonObject withHeartbeat(java.util.Map<String, Object> jsonSchema) {
    JsonObject schema = new JsonObject(io.vertx.core.json.Json.encode(jsonSchema));
    JsonObject params = schema.getJsonObject("parameters");
    if (params == null) {
      params = new JsonObject().put("type", "object");
      schema.put("parameters", params);
    }
    JsonObject props = params.getJsonObject("properties");
    if (props == null) {
      props = new JsonObject();
      params.put("properties", props);
    }
    JsonArray required = params.getJsonArray("required");
    if (required == null) {
      required = new JsonArray();
      params.put("required", required);
    }
    if (!props.containsKey(REQUEST_HEARTBEAT)) {
      props.put(REQUEST_HEARTBEAT, param("boolean", HEARTBEAT_DESCRIPTION));
      required.add(REQUEST_HEARTBEAT);
    }
    return schema;
  }

  static JsonObject param(String type, String description) {
    return new JsonObject().put("type", type).put("description", description);
  }

  /** A search function over a query string with a page number (conversation and archival search). */
  static JsonObject querySearch(String name, String description) {
    return function(name, description, new JsonObject().put("query", param("string", "String to search for."))
        .put("page", param("integer", PAGE)), new JsonArray().add("query"), true);
  }

  /** A function schema; with {@code heartbeat}, the required {@code request_heartbeat} parameter is added. */
  static JsonObject function(String name, String description, JsonObject properties, JsonArray required,
      boolean heartbeat) {
    if (heartbeat) {
      properties.put(REQUEST_HEARTBEAT, param("boolean", HEARTBEAT_DESCRIPTION));
      required.add(REQUEST_HEARTBEAT);
    }
    return new JsonObject().put("name", name).put("description", description).put("parameters",
        new JsonObject().put("type", "object").put("properties", properties).put("required", required));
  }
}
