package dev.engram.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChatRequestScanTest {
  /** The prompt length as read from the parsed tree: message contents, content parts' text, call arguments. */
  private static int treeChars(JsonObject request) {
    int chars = 0;
    for (Object item : request.getJsonArray("messages", new JsonArray())) {
      JsonObject m = (JsonObject) item;
      Object content = m.getValue("content");
      if (content instanceof String text) {
        chars += text.length();
      } else if (content instanceof JsonArray parts) {
        for (Object p : parts) {
          chars += ((JsonObject) p).getString("text", "").length();
        }
      }
      for (Object call : m.getJsonArray("tool_calls", new JsonArray())) {
        chars += ((JsonObject) call).getJsonObject("function").getString("arguments").length();
      }
    }
    return chars;
  }

  private static ChatRequestScan scan(String json) {
    return ChatRequestScan.of(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("the scan reads model, streaming, usage wish and prompt length as a JSON parser would")
  void scanMatchesParsedRequest() {
    JsonObject request = new JsonObject()
        .put("model", "gpt-4")
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system")
                .put("content", "You are \"Sam\" \\ \u00e9\u2764\ud83d\ude00\n\t"))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "part one"))
                .add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", "x")))))
            .add(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray()
                .add(new JsonObject().put("id", "c1").put("type", "function").put("function",
                    new JsonObject().put("name", "send_message").put("arguments", "{\"message\": \"hi \u00fc\"}")))))
            .add(new JsonObject().put("role", "tool").put("tool_call_id", "c1").put("content", "{\"status\": 1}")))
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("function", new JsonObject()
            .put("name", "core_memory_append").put("parameters", new JsonObject().put("properties",
                new JsonObject().put("content", new JsonObject().put("type", "string")))))))
        .put("temperature", 0.7).put("n", 1).put("stop", (Object) null).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    for (String json : new String[] {request.encode(), request.encodePrettily()}) {
      ChatRequestScan scan = scan(json);
      assertEquals("gpt-4", scan.model());
      assertEquals(true, scan.stream());
      assertEquals(true, scan.includeUsage());
      assertEquals(treeChars(request), scan.promptChars());
    }
    ChatRequestScan plain = scan("{\"messages\": [], \"stream\": false}");
    assertEquals(new ChatRequestScan(null, false, false, 0), plain);
  }

  @Test
  @DisplayName("a body that is not one JSON object is refused")
  void refusesNonObjects() {
    for (String body : new String[] {"", "[]", "{\"a\": 1", "{\"a\" 1}", "{} {}", "not json", "{\"a\": \"open}"}) {
      assertThrows(IllegalArgumentException.class, () -> scan(body), body);
    }
  }
}
