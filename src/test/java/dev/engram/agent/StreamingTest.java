package dev.engram.agent;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.SocketFrames;
import dev.engram.testkit.TestServer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Streaming sends over WebSocket and SSE, including a client that goes away mid-run. */
class StreamingTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void reset() {
    llm.reset();
  }

  @Test
  @DisplayName("a WebSocket send with a bearer header streams the step's events, then a done frame")
  void webSocketWithBearerHeader() throws Exception {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "socket");
    llm.enqueue(Step.sendMessage("Greeting them.", "Hello over the socket!"));

    SocketFrames frames = new SocketFrames();
    WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(wsUri(agentId, null), frames).get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(new JsonObject().put("message", "hi").encode(), true).get(5, TimeUnit.SECONDS);

      JsonObject monologue = frames.next();
      JsonObject call = frames.next();
      JsonObject assistant = frames.next();
      JsonObject ret = frames.next();
      JsonObject done = frames.next();
      assertEquals("Greeting them.", monologue.getString("internal_monologue"), monologue.encode());
      assertEquals("send_message({'message': 'Hello over the socket!'})", call.getString("function_call"));
      assertEquals("Hello over the socket!", assistant.getString("assistant_message"));
      assertEquals("None", ret.getString("function_return"));
      assertEquals("success", ret.getString("status"));
      assertEquals(Boolean.TRUE, done.getBoolean("done"), done.encode());
      assertEquals(1, done.getJsonObject("usage").getInteger("step_count"));
      assertTrue(done.getJsonObject("usage").getInteger("total_tokens") > 0);
      assertEquals("hi", new JsonObject(StepLoopTest.lastMessage(llm.requests().get(0)).getString("content"))
          .getString("message"));
    } finally {
      ws.abort();
    }
  }

  @Test
  @DisplayName("a WebSocket accepts a JWT in ?token= but refuses an API key there and another user's agent")
  void webSocketUrlToken() throws Exception {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "socket-jwt");
    Api.Response tokenResponse = api.post("/api/auth/token", key, new JsonObject());
    assertEquals(200, tokenResponse.status(), tokenResponse.body());
    String jwt = tokenResponse.json().getString("token");
    assertNotNull(jwt);

    SocketFrames frames = new SocketFrames();
    WebSocket ws = http.newWebSocketBuilder().buildAsync(wsUri(agentId, jwt), frames).get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(new JsonObject().put("message", "hi with a token").encode(), true).get(5, TimeUnit.SECONDS);
      for (String kind : List.of("internal_monologue", "function_call", "assistant_message", "function_return")) {
        JsonObject frame = frames.next();
        assertTrue(frame.containsKey(kind), "expected " + kind + ", got " + frame.encode());
      }
      assertEquals(Boolean.TRUE, frames.next().getBoolean("done"));
    } finally {
      ws.abort();
    }

    assertEquals(403, handshakeStatus(http.newWebSocketBuilder(), wsUri(agentId, key)));

    String otherKey = api.newUser().getString("api_key");
    assertEquals(404, handshakeStatus(http.newWebSocketBuilder().header("Authorization", "Bearer " + otherKey),
        wsUri(agentId, null)));
    String otherJwt = api.post("/api/auth/token", otherKey, new JsonObject()).json().getString("token");
    assertEquals(404, handshakeStatus(http.newWebSocketBuilder(), wsUri(agentId, otherJwt)));
    assertEquals(1, llm.requestCount());
  }

  @Test
  @DisplayName("when an SSE client goes away mid-run, the run still completes and is stored")
  void clientGoneMidStream() throws Exception {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "abandoned");
    llm.enqueue(
        Step.toolCall("Noting the hobby.", "core_memory_append", new JsonObject().put("name", "human")
            .put("content", "Plays the oboe").put("request_heartbeat", true)),
        Step.sendMessage("Replying late.", "The oboe is a lovely instrument.").after(700));

    HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + "/api/agents/" + agentId + "/messages"))
        .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + key)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("message", "I play the oboe")
            .put("stream", true).encode()))
        .build();
    HttpResponse<InputStream> resp = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, resp.statusCode());
    InputStream body = resp.body();
    BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    String first = reader.readLine();
    assertNotNull(first);
    assertTrue(first.startsWith("data: "), first);
    assertEquals("Noting the hobby.", new JsonObject(first.substring(6)).getString("internal_monologue"));
    body.close();

    long deadline = System.currentTimeMillis() + 5000;
    JsonObject reply = null;
    JsonObject replyResult = null;
    while (System.currentTimeMillis() < deadline && replyResult == null) {
      JsonArray recall = api.messages(agentId, key, 20);
      for (int i = 0; i < recall.size(); i++) {
        JsonObject m = recall.getJsonObject(i);
        JsonArray calls = m.getJsonArray("tool_calls");
        if ("assistant".equals(m.getString("role")) && calls != null && calls.getJsonObject(0)
            .getJsonObject("function").getString("arguments").contains("The oboe is a lovely instrument.")) {
          reply = m;
          String callId = calls.getJsonObject(0).getString("id");
          for (int j = 0; j < recall.size(); j++) {
            JsonObject t = recall.getJsonObject(j);
            if ("tool".equals(t.getString("role")) && callId.equals(t.getString("tool_call_id"))) {
              replyResult = t;
            }
          }
        }
      }
      if (replyResult == null) {
        Thread.sleep(50);
      }
    }
    assertNotNull(reply, "the late send_message step was never stored");
    assertNotNull(replyResult, "the result of the late send_message was never stored");
    assertEquals("Replying late.", reply.getString("text"));
    assertEquals("OK", new JsonObject(replyResult.getString("text")).getString("status"));
    assertTrue(StepLoopTest.memory(api, agentId, key).getString("human").contains("Plays the oboe"));
    assertEquals(2, llm.requestCount());
  }

  @Test
  @DisplayName("the input is stored while a slow model thinks, and no event is sent before its step is stored")
  void eventsFollowTheirCommit() throws Exception {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "durable");
    llm.enqueue(Step.toolCall("Writing it down.", "core_memory_append", new JsonObject().put("name", "human")
            .put("content", "Is patient").put("request_heartbeat", true)).after(1500),
        Step.sendMessage("Done writing.", "Noted."));
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try {
        HttpResponse<InputStream> resp = http.send(sseRequest(agentId, key, "Remember that I am patient"),
            HttpResponse.BodyHandlers.ofInputStream());
        new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8)).lines()
            .filter(line -> line.startsWith("data: ")).forEach(line -> events.add(line.substring(6)));
      } catch (Exception e) {
        events.add("failed: " + e);
      }
    });
    reader.start();

    long deadline = System.currentTimeMillis() + 5000;
    boolean inputStored = false;
    while (!inputStored && System.currentTimeMillis() < deadline) {
      inputStored = api.messages(agentId, key, 10).stream().map(JsonObject.class::cast)
          .anyMatch(m -> "user".equals(m.getString("role")) && m.getString("text").contains("I am patient"));
      Thread.sleep(20);
    }
    assertTrue(inputStored, "the input was not stored while the model was thinking");
    assertTrue(events.isEmpty(), "an event went out before the model answered: " + events);

    // hold the agent's row so that the step cannot be stored: its events must wait, though the model has answered
    Pool db = PgBuilder.pool().connectingTo(server.server().databaseOptions()).using(server.server().vertx())
        .build();
    SqlConnection conn = await(db.getConnection());
    try {
      Transaction tx = await(conn.begin());
      await(conn.preparedQuery("select 1 from agents where id = $1 for update")
          .execute(Tuple.of(UUID.fromString(agentId))));
      assertNull(events.poll(2500, TimeUnit.MILLISECONDS), "an event went out before its step was stored");
      assertEquals(1, llm.requestCount(), "the model had answered while the row was held");
      await(tx.commit());
    } finally {
      await(conn.close());
      await(db.close());
    }

    int seen = 0;
    for (String event = events.poll(10, TimeUnit.SECONDS); !"[DONE]".equals(event);
        event = events.poll(10, TimeUnit.SECONDS)) {
      assertNotNull(event, "the run did not finish");
      String id = new JsonObject(event).getString("id");
      assertTrue(api.messages(agentId, key, 20).stream().map(JsonObject.class::cast)
          .anyMatch(m -> id.equals(m.getString("id"))), "event sent before message " + id + " was stored: " + event);
      seen++;
    }
    assertEquals(7, seen, "two steps: monologue, function call and return each, and the reply");
    reader.join(5000);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- helpers

  private HttpRequest sseRequest(String agentId, String key, String message) {
    return HttpRequest.newBuilder(URI.create(api.base() + "/api/agents/" + agentId + "/messages"))
        .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + key)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("message", message).put("stream", true)
            .encode()))
        .build();
  }

  private URI wsUri(String agentId, String token) {
    return URI.create("ws://localhost:" + server.port() + "/api/agents/" + agentId + "/ws"
        + (token == null ? "" : "?token=" + token));
  }

  /** The HTTP status of a refused handshake (fails if the handshake succeeds). */
  private static int handshakeStatus(WebSocket.Builder builder, URI uri) throws Exception {
    try {
      WebSocket ws = builder.buildAsync(uri, new SocketFrames()).get(10, TimeUnit.SECONDS);
      ws.abort();
      fail("the handshake to " + uri + " was accepted");
      return -1;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }
}
