package dev.engram.llm;

import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Runs the model wire of an agent step on a throwaway conversation: the request encoded both ways, a streamed reply
 * with a {@code send_message} call assembled, a whole reply parsed. Nothing is sent anywhere; the point is that the
 * JIT has compiled these paths before the first real step needs them (see {@code dev.engram.Warmup}).
 */
public final class WireWarmup {
  private static final String STREAMED = """
      data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Thinking briefly."}}]}
      data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_w","type":"function","function":{"name":"send_message","arguments":"{\\"message\\": "}}]}}]}
      data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Hello.\\"}"}}]}}]}
      data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":90,"completion_tokens":12,"total_tokens":102}}
      data: [DONE]
      """;
  private static final String WHOLE = """
      {"choices":[{"index":0,"message":{"role":"assistant","content":"Thinking briefly.","tool_calls":[{"id":"call_w",\
      "type":"function","function":{"name":"send_message","arguments":"{\\"message\\": \\"Hello.\\"}"}}]},\
      "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":90,"completion_tokens":12,"total_tokens":102}}
      """;

  private WireWarmup() {}

  /** One round: encode, assemble, parse; returns a number derived from all three so none is optimised away. */
  public static int round(String model) {
    List<Message> messages = List.of(message(Message.SYSTEM, "You are a helpful agent with a memory.", null),
        message(Message.USER, "{\"type\": \"user_message\", \"message\": \"What is the meaning of life?\"}", null),
        message(Message.ASSISTANT, "Thinking briefly.",
            new ToolCall("call_w", "send_message", "{\"message\": \"Hello.\"}")),
        message(Message.TOOL, "{\"status\": \"OK\", \"message\": \"None\"}", null));
    JsonObject schema = new JsonObject().put("name", "send_message").put("description", "Sends a message.")
        .put("parameters", new JsonObject().put("type", "object").put("properties", new JsonObject()
            .put("message", new JsonObject().put("type", "string"))).put("required", List.of("message")));
    LlmRequest request = new LlmRequest(model, messages, List.of(schema), "warmup");
    int size = new RequestEncoder().encode(request, model, true).length()
        + OpenAiWire.requestBody(request, model, true).encode().length();
    OpenAiWire.StreamAssembler assembler = new OpenAiWire.StreamAssembler();
    for (String line : STREAMED.split("\n")) {
      assembler.acceptLine(line);
    }
    return size + assembler.finish().toolCalls().size() + OpenAiWire.parseCompletion(WHOLE).toolCalls().size();
  }

  private static Message message(String role, String text, ToolCall call) {
    return new Message("message-w", "agent-w", "user-w", role, text, null, call == null ? List.of() : List.of(call),
        Message.TOOL.equals(role) ? "call_w" : null, null, 0, Instant.EPOCH);
  }
}
