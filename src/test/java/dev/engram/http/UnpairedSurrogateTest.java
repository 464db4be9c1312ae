package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.SocketFrames;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * JSON may spell half of a UTF-16 surrogate pair alone ({@code "\ud800"}); such a string is no Unicode text, has no
 * UTF-8 form, and PostgreSQL cannot store it. It used to answer 500 on agent creation, core memory edits, archival
 * inserts and sends (and to be stored as "?" elsewhere). Like NUL, it is refused at the edge with 400 naming where it
 * was, and nothing is stored; a valid pair (an emoji) is text like any other. Likewise a URL whose percent-escapes
 * decode to bytes that are not UTF-8.
 */
class UnpairedSurrogateTest {
  private static final String RULE = "unpaired surrogate";

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String key;
  private String agentId;

  @BeforeEach
  void setUp() {
    TestServer.llm().reset();
    key = api.newUser().getString("api_key");
    agentId = api.newAgent(key, "target");
  }

  /** POSTs a body written as raw JSON text, so that its escapes reach the server as they are. */
  private Api.Response post(String path, String json) {
    return post(path, json.getBytes(StandardCharsets.UTF_8));
  }

  private Api.Response post(String path, byte[] body) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api.base() + path))
          .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Api.Response(r.statusCode(), r.body(), r.headers());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("a lone surrogate in a JSON string or key answers 400 naming where it is, on the routes that answered"
      + " 500, and nothing is stored")
  void inJsonBodies() {
    String agent = "/api/agents/" + agentId;
    JsonObject memoryBefore = api.get(agent + "/memory", key).json();
    JsonArray messagesBefore = api.messages(agentId, key, 1000);
    assertError(post("/api/agents", "{\"config\": {\"name\": \"other\", \"persona\": \"p\\ud800\"}}"), 400, RULE,
        "config.persona");
    assertError(post(agent + "/memory", "{\"human\": \"\\udfffh\"}"), 400, RULE, "human");
    assertError(post(agent + "/archival", "{\"content\": \"bees \\uDBFF\"}"), 400, RULE, "content");
    assertError(post(agent + "/messages", "{\"message\": \"hi \\ud800 there\"}"), 400, RULE, "message");
    assertError(post("/api/sources", "{\"name\": \"docs\\ud800\"}"), 400, RULE, "name");
    assertError(post("/memories", "{\"user_id\": \"alice\", \"infer\": false, \"messages\": \"tea\","
        + " \"metadata\": {\"k\\ud800\": 1}}"), 400, RULE, "in a key at metadata");
    // a high half followed by another high half is no pair either
    assertError(post(agent + "/archival", "{\"content\": \"\\ud83d\\ud83d\"}"), 400, RULE);
    // the three bytes some encoders write for a lone surrogate (CESU-8) are refused the same way
    ByteArrayOutputStream cesu = new ByteArrayOutputStream();
    cesu.writeBytes("{\"content\": \"x".getBytes(StandardCharsets.UTF_8));
    cesu.writeBytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
    cesu.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, post(agent + "/archival", cesu.toByteArray()).status());

    assertEquals(1, api.get("/api/agents", key).json().getInteger("num_agents"));
    assertEquals(memoryBefore, api.get(agent + "/memory", key).json());
    assertEquals(messagesBefore, api.messages(agentId, key, 1000));
    assertTrue(api.get("/api/sources", key).json().getJsonArray("sources").isEmpty());
    assertTrue(api.get("/memories?user_id=alice", key).json().getJsonArray("results").isEmpty());
    assertEquals(0, TestServer.llm().requestCount(), "the model was never called");
  }

  @Test
  @DisplayName("a valid surrogate pair (an emoji), escaped or not, is stored and read back as it was sent")
  void validPairsAreText() {
    String agent = "/api/agents/" + agentId;
    Api.Response escaped = post(agent + "/archival", "{\"content\": \"bees \\ud83d\\udc1d make honey\"}");
    assertEquals(200, escaped.status(), escaped.body());
    Api.Response raw = post(agent + "/archival", "{\"content\": \"wasps \uD83D\uDC1D make paper\"}");
    assertEquals(200, raw.status(), raw.body());
    JsonArray stored = api.get(agent + "/archival/all", key).json().getJsonArray("archival_memory");
    assertEquals("bees \uD83D\uDC1D make honey", stored.getJsonObject(0).getString("text"));
    assertEquals("wasps \uD83D\uDC1D make paper", stored.getJsonObject(1).getString("text"));
  }

  @Test
  @DisplayName("percent-escapes that decode to bytes that are not UTF-8, in a path or a query, answer 400")
  void urlsThatAreNotUtf8() {
    assertError(api.get("/api/agents/" + agentId + "/archival?query=be%ED%A0%80es", key), 400, "not UTF-8", "query");
    assertError(api.get("/memories?user_id=al%FFice", key), 400, "not UTF-8", "query");
    assertError(api.get("/api/agents/" + agentId.substring(0, 10) + "%C3%28/config", key), 400, "not UTF-8",
        "path");
    // well-formed UTF-8 escapes are text as before
    assertEquals(200, api.get("/memories?user_id=%C3%A9lise", key).status());
  }

  @Test
  @DisplayName("a WebSocket frame with a lone surrogate, or a binary frame, answers an error frame with status 400,"
      + " and the socket stays open")
  void webSocketFrames() throws Exception {
    SocketFrames frames = new SocketFrames();
    WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(URI.create("ws://localhost:" + TestServer.shared().port() + "/api/agents/" + agentId + "/ws"),
            frames).get(10, TimeUnit.SECONDS);
    try {
      ws.sendText("{\"message\": \"hi \\ud800\"}", true).get(5, TimeUnit.SECONDS);
      JsonObject error = frames.next();
      assertEquals(400, error.getInteger("status"), error.encode());
      assertTrue(error.getString("error").contains(RULE), error.encode());
      // a binary message used to be dropped without an answer, leaving its sender waiting
      ws.sendBinary(ByteBuffer.wrap("{\"message\": \"hi\"}".getBytes(StandardCharsets.UTF_8)), true)
          .get(5, TimeUnit.SECONDS);
      JsonObject binary = frames.next();
      assertEquals(400, binary.getInteger("status"), binary.encode());
      assertTrue(binary.getString("error").contains("text"), binary.encode());
      ws.sendText(new JsonObject().put("message", " ").encode(), true).get(5, TimeUnit.SECONDS);
      assertEquals(422, frames.next().getInteger("status"), "still open");
    } finally {
      ws.abort();
    }
    assertEquals(0, TestServer.llm().requestCount(), "the model was never called");
  }
}
