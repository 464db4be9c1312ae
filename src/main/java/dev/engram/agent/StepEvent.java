package dev.engram.agent;

import dev.engram.kernel.Times;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One event of a step as clients receive it, in the MemGPT vocabulary: {@code internal_monologue},
 * {@code function_call}, {@code assistant_message}, {@code function_return} (with {@code status}).
 */
public record StepEvent(String kind, String content, String status, String id, Instant date) {
  public static final String MONOLOGUE = "internal_monologue";
  public static final String FUNCTION_CALL = "function_call";
  public static final String ASSISTANT = "assistant_message";
  public static final String FUNCTION_RETURN = "function_return";

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put(kind, content);
    if (status != null) {
      json.put("status", status);
    }
    return json.put("id", id).put("date", Times.iso(date));
  }
}
