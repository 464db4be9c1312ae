package dev.engram.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.agent.tool.ToolRegistry;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OpenAiWireEncodingTest {
  private static Message msg(String id, String role, String text, List<ToolCall> calls, String toolCallId) {
    return new Message(id, "a", "u", role, text, null, calls, toolCallId, null, 1, Instant.EPOCH);
  }

  private static List<Message> conversation() {
    return List.of(
        msg("1", Message.SYSTEM, "You are \"Sam\".\nLine two \u00e9", List.of(), null),
        msg("2", Message.ASSISTANT, null, List.of(new ToolCall("c1", "send_message", "{\"message\":\"hi\"}")), null),
        msg("3", Message.TOOL, "{\"status\":\"OK\"}", List.of(), "c1"),
        msg("4", Message.USER, "{\"type\":\"user_message\",\"message\":\"\u2764 it's 42\"}", List.of(), null));
  }

  private static void assertSameBody(RequestEncoder encoder, LlmRequest request, boolean stream) {
    assertEquals(OpenAiWire.requestBody(request, "fallback", stream),
        new JsonObject(encoder.encode(request, "fallback", stream)));
  }

  @Test
  @DisplayName("the encoded body equals the plain request body, on first use and when reused")
  void encodedBodyMatchesPlainBody() {
    var tools = new ToolRegistry();
    var schemas = tools.schemas(tools.defaultToolNames());
    var request = new LlmRequest("gpt-4", conversation(), schemas, "user-1");
    var encoder = new RequestEncoder();
    for (boolean stream : new boolean[] {false, true}) {
      assertSameBody(encoder, request, stream);
      assertSameBody(encoder, request, stream);
    }
    assertSameBody(encoder, new LlmRequest(null, conversation(), List.of(), null), false);
    assertSameBody(encoder, new LlmRequest(null, List.of(), List.of(), null), false);
  }

  @Test
  @DisplayName("a growing, summarised or re-prompted conversation is encoded exactly, reusing what did not change")
  void conversationChangesAreEncodedExactly() {
    var tools = new ToolRegistry();
    var schemas = tools.schemas(tools.defaultToolNames());
    var encoder = new RequestEncoder();
    List<Message> context = new ArrayList<>(conversation());
    for (int step = 0; step < 30; step++) {
      context.add(msg("u" + step, Message.USER, "message " + step + " \"quoted\" \\ \u00fc", List.of(), null));
      context.add(msg("a" + step, Message.ASSISTANT, "thinking " + step,
          List.of(new ToolCall("c" + step, "send_message", "{\"message\":\"" + step + "\"}")), null));
      if (step % 7 == 6) {
        // summarisation replaces the oldest messages after the system message
        context.subList(1, context.size() - 3).clear();
        context.add(1, msg("s" + step, Message.USER, "summary " + step, List.of(), null));
      }
      if (step % 11 == 10) {
        // a core-memory edit replaces the system message
        context.set(0, msg("sys" + step, Message.SYSTEM, "new prompt " + step, List.of(), null));
      }
      String model = step % 13 == 12 ? "gpt-4o" : "gpt-4";
      assertSameBody(encoder, new LlmRequest(model, context, schemas, "user-1"), step % 2 == 0);
    }
    assertTrue(encoder.cachedBytes() > 0 && encoder.cachedBytes() < RequestEncoder.MAX_CACHED_BYTES);
  }

  @Test
  @DisplayName("a long conversation that grows and shrinks at its end is encoded exactly")
  void longConversation() {
    var encoder = new RequestEncoder();
    List<Message> context = new ArrayList<>(conversation());
    for (int step = 0; step < 100; step++) {
      context.add(msg("u" + step, Message.USER, "message " + step, List.of(), null));
      var request = new LlmRequest("gpt-4", List.copyOf(context), List.of(), null);
      assertSameBody(encoder, request, false);
      assertSameBody(encoder, request, false);
      if (step % 10 == 9) {
        // a /pop: the context loses its last messages
        context.subList(context.size() - 2, context.size()).clear();
      }
    }
  }

  @Test
  @DisplayName("the bodies kept for reuse stay within their byte budget")
  void cacheStaysWithinBudget() {
    var encoder = new RequestEncoder();
    String big = "x".repeat(1 << 20);
    for (int agent = 0; agent < 60; agent++) {
      var request = new LlmRequest("gpt-4", List.of(msg("sys-" + agent, Message.SYSTEM, big, List.of(), null)),
          List.of(), null);
      assertSameBody(encoder, request, false);
      assertTrue(encoder.cachedBytes() <= RequestEncoder.MAX_CACHED_BYTES);
    }
  }
}
