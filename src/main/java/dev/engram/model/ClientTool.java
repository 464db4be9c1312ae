package dev.engram.model;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A tool the client runs itself (Letta's {@code client_tools} entry of a send): offered to the model for that send
 * with this schema; a call to it pauses the run until the client posts the result.
 */
public record ClientTool(String name, String description, Map<String, Object> parameters) {
  /** The tool's schema as the model is offered it (the shape of the built-in tools' schemas). */
  public JsonObject schema() {
    JsonObject params = parameters == null
        ? new JsonObject().put("type", "object").put("properties", new JsonObject())
        : new JsonObject(parameters);
    return new JsonObject().put("name", name).put("description", description == null ? "" : description)
        .put("parameters", params);
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("description", description)
        .put("parameters", parameters == null ? null : new JsonObject(parameters));
  }

  public static ClientTool fromJson(JsonObject json) {
    JsonObject params = json.getJsonObject("parameters");
    return new ClientTool(json.getString("name"), json.getString("description"),
        params == null ? null : params.getMap());
  }
}
