package dev.engram.agent;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.llm.LlmDelta;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The model's streamed fragments as step fragments: the monologue, tool-call arguments, send_message's text. */
class TokenRelayTest {
  @Test
  @DisplayName("send_message's message is decoded as it streams, whatever the cuts between fragments")
  void sendMessageTextAtEveryCut() {
    String said = "Caf\u00e9 \"au lait\" \u2014 ok\\ \n\t and \uD83C\uDF75 tea";
    String args = new JsonObject().put("request_heartbeat", false).put("nested", new JsonObject()
        .put("message", "not this")).put("message", said).put("after", "no").encode()
        .replace("\u00e9", "\\u00e9").replace("\uD83C\uDF75", "\\ud83c\\udf75");
    for (int cut = 1; cut < args.length(); cut++) {
      for (int second = cut; second < args.length(); second += 7) {
        JsonStringField field = new JsonStringField("message");
        String out = field.feed(args.substring(0, cut)) + field.feed(args.substring(cut, second))
            + field.feed(args.substring(second));
        assertEquals(said, out, "cut at " + cut + " and " + second);
      }
    }
  }

  @Test
  @DisplayName("a field that is not a top-level string gives nothing")
  void onlyTopLevelStrings() {
    assertEquals("", new JsonStringField("message").feed("{\"message\": 5, \"x\": \"y\"}"));
    assertEquals("", new JsonStringField("message").feed("{\"a\": {\"message\": \"inner\"}}"));
    assertEquals("", new JsonStringField("message").feed("{\"messages\": \"close\"}"));
    assertEquals("first", new JsonStringField("message").feed("{\"message\": \"first\", \"message\": \"again\"}"));
  }

  @Test
  @DisplayName("content is the monologue; the first call is relayed with its name once, and send_message as text")
  void fragmentsOfAStep() {
    List<StepDelta> out = new ArrayList<>();
    TokenRelay relay = new TokenRelay("m-1", out::add, false);
    relay.accept(new LlmDelta("Think", -1, null, null, null));
    relay.accept(new LlmDelta("ing.", -1, null, null, null));
    relay.accept(new LlmDelta(null, 0, "call_1", "send_message", ""));
    relay.accept(new LlmDelta(null, 0, null, null, "{\"mess"));
    relay.accept(new LlmDelta(null, 0, null, null, "age\": \"Hel"));
    relay.accept(new LlmDelta(null, 1, "call_2", "other", "{}"));
    relay.accept(new LlmDelta(null, 0, null, null, "lo!\"}"));
    assertEquals("Thinking.", text(out, StepEvent.MONOLOGUE));
    assertEquals("Hello!", text(out, StepEvent.ASSISTANT));
    assertEquals("{\"message\": \"Hello!\"}", text(out, StepEvent.FUNCTION_CALL));
    List<StepDelta> calls = out.stream().filter(d -> d.kind().equals(StepEvent.FUNCTION_CALL)).toList();
    assertTrue(calls.get(0).opens());
    assertTrue(calls.stream().skip(1).noneMatch(StepDelta::opens));
    assertTrue(calls.stream().allMatch(d -> "send_message".equals(d.callName())), "the second call is not relayed");
    assertTrue(out.stream().allMatch(d -> d.messageId().equals("m-1")));
    assertTrue(out.stream().filter(d -> d.kind().equals(StepEvent.ASSISTANT))
        .allMatch(d -> "send_message".equals(d.callName())), "what send_message says names its call");
  }

  @Test
  @DisplayName("for an agent that speaks in plain text, content is what it says (naming no call), not a monologue")
  void fragmentsOfAPlainTextAgent() {
    List<StepDelta> out = new ArrayList<>();
    TokenRelay relay = new TokenRelay("m-2", out::add, true);
    relay.accept(new LlmDelta("Hel", -1, null, null, null));
    relay.accept(new LlmDelta("lo!", -1, null, null, null));
    relay.accept(new LlmDelta(null, 0, "call_1", "memory_insert", "{}"));
    assertEquals("Hello!", text(out, StepEvent.ASSISTANT));
    assertEquals("", text(out, StepEvent.MONOLOGUE));
    assertTrue(out.stream().filter(d -> d.kind().equals(StepEvent.ASSISTANT)).allMatch(d -> d.callName() == null));
    assertEquals("{}", text(out, StepEvent.FUNCTION_CALL));
  }

  private static String text(List<StepDelta> deltas, String kind) {
    return deltas.stream().filter(d -> d.kind().equals(kind)).map(StepDelta::text).collect(Collectors.joining());
  }
}
