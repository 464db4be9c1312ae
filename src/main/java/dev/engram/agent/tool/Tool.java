package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** A function the model can call. Each implementation owns both its JSON schema and its behaviour. */
public interface Tool {
  String name();

  /** The OpenAI function schema: {@code {"name", "description", "parameters"}}. */
  JsonObject schema();

  /**
   * Runs the call with arguments already checked against the schema ({@code request_heartbeat} removed). Returns the
   * text the model sees ({@code "None"} for nothing); a failed future is reported to the model as an error.
   */
  Future<String> run(ToolContext ctx, JsonObject args);

  /** Search results are returned whole; other outputs are truncated to keep the context small. */
  default boolean truncatesOutput() {
    return true;
  }
}
