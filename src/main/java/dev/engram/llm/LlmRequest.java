package dev.engram.llm;

import dev.engram.model.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One chat-completion call: domain messages (converted to the wire format by the client), tool schemas, and optional
 * extra top-level request fields ({@code options}, e.g. {@code response_format} or {@code temperature}).
 */
public record LlmRequest(String model, List<Message> messages, List<JsonObject> tools, String user,
    JsonObject options) {
  public LlmRequest {
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
    options = options == null ? null : options.copy();
  }

  public LlmRequest(String model, List<Message> messages, List<JsonObject> tools, String user) {
    this(model, messages, tools, user, null);
  }
}
