package dev.engram.agent.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.engram.agent.tool.ToolRegistry;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OpenAiWireEncodingTest {
  private static Message msg(String id, String role, String text, List<ToolCall> calls, String toolCallId) {
    return new Message(id, "a", "u", role, text, null, calls, toolCallId, null, 1, Instant.EPOCH);
  }

  @Test
  @DisplayName("the cached encoding equals the plain request body, on first use and when reused")
  void cachedEncodingMatchesPlainBody() {
    var tools = new ToolRegistry();
    var schemas = tools.schemas(tools.defaultToolNames());
    var messages = List.of(
        msg("1", Message.SYSTEM, "You are \"Sam\".\nLine two \u00e9", List.of(), null),
        msg("2", Message.ASSISTANT, null, List.of(new ToolCall("c1", "send_message", "{\"message\":\"hi\"}")), null),
        msg("3", Message.TOOL, "{\"status\":\"OK\"}", List.of(), "c1"),
        msg("4", Message.USER, "{\"type\":\"user_message\",\"message\":\"\u2764 it's 42\"}", List.of(), null));
    var request = new LlmRequest("gpt-4", messages, schemas, "user-1");
    var cache = new OpenAiWire.EncodingCache();
    for (boolean stream : new boolean[] {false, true}) {
      JsonObject plain = OpenAiWire.requestBody(request, "fallback", stream);
      assertEquals(plain, new JsonObject(OpenAiWire.encodeBody(request, "fallback", stream, cache)));
      assertEquals(plain, new JsonObject(OpenAiWire.encodeBody(request, "fallback", stream, cache)));
    }
    var noTools = new LlmRequest(null, messages, List.of(), null);
    assertEquals(OpenAiWire.requestBody(noTools, "fallback", false),
        new JsonObject(OpenAiWire.encodeBody(noTools, "fallback", false, cache)));
  }
}
