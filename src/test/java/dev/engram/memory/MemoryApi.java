package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.engram.testkit.Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Small helpers over the Mem0 routes for the memory tests. */
final class MemoryApi {
  private final Api api;

  MemoryApi(Api api) {
    this.api = api;
  }

  static JsonArray turns(String... roleAndContent) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < roleAndContent.length; i += 2) {
      out.add(new JsonObject().put("role", roleAndContent[i]).put("content", roleAndContent[i + 1]));
    }
    return out;
  }

  /** POST /memories; asserts 200 and answers the results. */
  JsonArray add(String token, JsonObject body) {
    Api.Response r = api.post("/memories", token, body);
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("results");
  }

  /** Stores the texts verbatim (infer=false) as user messages of {@code userId}, with the metadata; their ids. */
  List<String> addVerbatim(String token, String userId, JsonObject metadata, String... texts) {
    JsonArray messages = new JsonArray();
    for (String t : texts) {
      messages.add(new JsonObject().put("role", "user").put("content", t));
    }
    JsonObject body = new JsonObject().put("messages", messages).put("user_id", userId).put("infer", false);
    if (metadata != null) {
      body.put("metadata", metadata);
    }
    return add(token, body).stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  JsonArray list(String token, String query) {
    Api.Response r = api.get("/memories?" + query, token);
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("results");
  }

  /** POST /search; asserts 200 and answers the whole body. */
  JsonObject search(String token, JsonObject body) {
    Api.Response r = api.post("/search", token, body);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  JsonArray history(String token, String memoryId) {
    Api.Response r = api.get("/memories/" + memoryId + "/history", token);
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body());
  }

  /** The last message text of a recorded LLM request (the prompt of a Mem0 extraction or decision call). */
  static String prompt(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages");
    return messages.getJsonObject(messages.size() - 1).getString("content");
  }

  /** The existing memories a decision prompt showed, as {id, text} objects. */
  static JsonArray shown(String decisionPrompt) {
    int start = decisionPrompt.indexOf("Existing memories:\n") + "Existing memories:\n".length();
    String rest = decisionPrompt.substring(start);
    return rest.startsWith("[") ? new JsonArray(rest.substring(0, rest.indexOf("\n\nNew facts:"))) : new JsonArray();
  }

  /** The small id under which the decision prompt showed the memory {@code text}. */
  static String shownId(JsonArray shown, String text) {
    for (Object o : shown) {
      JsonObject m = (JsonObject) o;
      if (m.getString("text").equals(text)) {
        return m.getString("id");
      }
    }
    throw new AssertionError(text + " was not shown: " + shown.encode());
  }
}
