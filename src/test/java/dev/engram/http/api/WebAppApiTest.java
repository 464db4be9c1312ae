package dev.engram.http.api;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.SocketFrames;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the web app needs of /api besides the MemGPT routes: token streaming on the WebSocket, and recall search. */
class WebAppApiTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.checkedApi();
  private final ScriptedLlm llm = TestServer.llm();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void reset() {
    llm.reset();
  }

  @Test
  @DisplayName("a WebSocket send with stream_tokens gets the model's tokens as delta frames before the whole events")
  void socketStreamsTokens() throws Exception {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "tokens");
    llm.enqueue(Step.sendMessage("Counting the words.", "One two three four five.").chunksEvery(5));
    SocketFrames frames = new SocketFrames();
    WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(URI.create("ws://localhost:" + server.port() + "/api/agents/" + agentId + "/ws"), frames)
        .get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(new JsonObject().put("message", "count").put("stream_tokens", true).encode(), true)
          .get(5, TimeUnit.SECONDS);
      List<JsonObject> seen = new ArrayList<>();
      JsonObject frame;
      do {
        frame = frames.next();
        seen.add(frame);
      } while (!frame.containsKey("done") && !frame.containsKey("error"));
      assertTrue(frame.containsKey("done"), frame::encode);
      StringBuilder monologue = new StringBuilder();
      StringBuilder said = new StringBuilder();
      String deltaId = null;
      int firstEvent = -1;
      for (int i = 0; i < seen.size(); i++) {
        JsonObject f = seen.get(i);
        if (f.containsKey("delta")) {
          assertEquals(-1, firstEvent, () -> "a delta after the whole events: " + seen);
          deltaId = f.getString("id");
          if ("internal_monologue".equals(f.getString("delta"))) {
            monologue.append(f.getString("text"));
          } else if ("assistant_message".equals(f.getString("delta"))) {
            said.append(f.getString("text"));
          }
        } else if (firstEvent < 0) {
          firstEvent = i;
        }
      }
      assertEquals("Counting the words.", monologue.toString(), seen::toString);
      assertEquals("One two three four five.", said.toString(), seen::toString);
      JsonObject whole = seen.get(firstEvent);
      assertEquals("Counting the words.", whole.getString("internal_monologue"), whole::encode);
      assertEquals(deltaId, whole.getString("id"), "a delta names the message its whole event carries");
    } finally {
      ws.abort();
    }
  }

  @Test
  @DisplayName("a WebSocket send without stream_tokens gets no delta frames")
  void socketWithoutTokens() throws Exception {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "no-tokens");
    llm.enqueue(Step.sendMessage("Thinking.", "Hello."));
    SocketFrames frames = new SocketFrames();
    WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(URI.create("ws://localhost:" + server.port() + "/api/agents/" + agentId + "/ws"), frames)
        .get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(new JsonObject().put("message", "hi").encode(), true).get(5, TimeUnit.SECONDS);
      JsonObject frame;
      do {
        frame = frames.next();
        assertFalse(frame.containsKey("delta"), frame::encode);
      } while (!frame.containsKey("done") && !frame.containsKey("error"));
    } finally {
      ws.abort();
    }
  }

  @Test
  @DisplayName("recall search finds the agent's past messages by their words; another user's agent is 404")
  void recallSearch() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "recall");
    llm.enqueue(Step.sendMessage("Noted.", "Marmalade it is."));
    assertEquals(200, api.post("/api/agents/" + agentId + "/messages", key,
        new JsonObject().put("message", "My favourite jam is marmalade")).status());
    llm.enqueue(Step.sendMessage("Noted.", "Sounds nice."));
    assertEquals(200, api.post("/api/agents/" + agentId + "/messages", key,
        new JsonObject().put("message", "I went hiking on Sunday")).status());

    Api.Response found = api.get("/api/agents/" + agentId + "/recall?query=marmalade", key);
    assertEquals(200, found.status(), found::body);
    JsonArray messages = found.json().getJsonArray("messages");
    assertFalse(messages.isEmpty(), found::body);
    assertTrue(messages.stream().map(o -> ((JsonObject) o).encode()).allMatch(s -> s.contains("armalade")),
        found::body);
    assertTrue(messages.stream().noneMatch(o -> ((JsonObject) o).encode().contains("hiking")), found::body);

    Api.Response missingQuery = api.get("/api/agents/" + agentId + "/recall", key);
    assertEquals(422, missingQuery.status(), missingQuery::body);
    String other = api.newUser().getString("api_key");
    assertEquals(404, api.get("/api/agents/" + agentId + "/recall?query=marmalade", other).status());
  }
}
