package dev.engram.agent.llm;

import dev.engram.model.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** One chat-completion call: domain messages (converted to the wire format by the client) and tool schemas. */
public record LlmRequest(String model, List<Message> messages, List<JsonObject> tools, String user) {
  public LlmRequest {
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
  }
}
