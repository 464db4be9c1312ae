package dev.engram.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.engram.model.StepEvent;
import dev.engram.model.ToolCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ApiEventsTest {
  @Test
  @DisplayName("function_call arguments render like Python's repr of the dict")
  void pythonRepr() {
    assertEquals("{'message': \"it's 42\"}", PythonRepr.of(new JsonObject().put("message", "it's 42")));
    assertEquals("{'message': 'say \"hi\"'}", PythonRepr.of(new JsonObject().put("message", "say \"hi\"")));
    assertEquals("{'m': 'both \\' and \"'}", PythonRepr.of(new JsonObject().put("m", "both ' and \"")));
    assertEquals("{'n': 3, 'ok': True, 'none': None, 'l': ['a\\nb']}", PythonRepr.of(new JsonObject()
        .put("n", 3).put("ok", true).putNull("none").put("l", new JsonArray().add("a\nb"))));
    assertEquals("{'emoji': '\u2764'}", PythonRepr.of(new JsonObject().put("emoji", "\u2764")));
  }

  @Test
  @DisplayName("a function_call event is name(args) without the heartbeat flag; a return carries its status")
  void seedVocabulary() {
    Instant at = Instant.parse("2024-02-29T06:07:47.844Z");
    ToolCall call = new ToolCall("call_1", "send_message", "{\"message\": \"hi\", \"request_heartbeat\": false}");
    JsonObject json = ApiEvents.toJson(new StepEvent(2, StepEvent.FUNCTION_CALL, null, null, "m1", at, call));
    assertEquals("send_message({'message': 'hi'})", json.getString("function_call"));
    assertEquals("m1", json.getString("id"));
    JsonObject ret = ApiEvents.toJson(new StepEvent(3, StepEvent.FUNCTION_RETURN, "None", "success", "m2", at, call));
    assertEquals("None", ret.getString("function_return"));
    assertEquals("success", ret.getString("status"));
    assertEquals(Set.of("function_return", "status", "id", "date"), ret.fieldNames());
  }
}
