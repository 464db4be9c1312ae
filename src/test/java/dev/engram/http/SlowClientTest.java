package dev.engram.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A streaming client that stops reading cannot make the server buffer a run's events without bound: once more than
 * {@link SlowClientGuard#LIMIT} bytes wait behind a full write queue, the server closes the connection, and the run
 * goes on and is stored.
 */
class SlowClientTest {
  private static final int STEPS = 4;
  private static final int PART = 2 * 1024 * 1024;
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(TempHomes.create("engram-slow-"), Map.of("LLM_CONTEXT_WINDOW", "100000000"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("an SSE client that never reads is dropped once it falls 4 MiB behind; the run is stored whole")
  void sseClientThatNeverReads() throws Exception {
    Api api = server.api;
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "verbose");
    String big = scriptVerboseRun('x');
    String body = new JsonObject().put("message", "talk a lot").put("stream", true).encode();
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/agents/" + agentId + "/messages HTTP/1.1\r\nHost: localhost\r\n"
          + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\nContent-Length: "
          + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();

      // the run finishes and is stored although its client reads nothing
      JsonArray recall = awaitMessages(api, agentId, key, big + (STEPS - 1));
      assertNotNull(recall, "the run did not finish while its client was not reading");

      // what the client can still read is cut short: no [DONE], far less than the run's events
      long read = 0;
      boolean done = false;
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[65536];
      String tail = "";
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          read += n;
          tail = (tail + new String(buf, 0, n, StandardCharsets.ISO_8859_1));
          tail = tail.substring(Math.max(0, tail.length() - 64));
          done |= tail.contains("[DONE]");
        }
      } catch (SocketException reset) {
        // the server closed a connection with unread data: a reset is as good as an end of stream
      }
      assertFalse(done, "the stream was written to the end: the server buffered it all");
      assertTrue(read < (long) STEPS * 2 * PART, "read " + read + " bytes");
    }
  }

  @Test
  @DisplayName("a WebSocket client that stops reading is closed once it falls 4 MiB behind; the run is stored whole")
  void webSocketClientThatStopsReading() throws Exception {
    Api api = server.api;
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "verbose-socket");
    String big = scriptVerboseRun('y');
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket.Listener stalled = new WebSocket.Listener() {
      @Override
      public void onOpen(WebSocket ws) {
        // never ask for a message: the client's buffers fill and the server's writes back up
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        closed.complete(status);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        closed.complete(-1);
      }
    };
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/api/agents/" + agentId + "/ws"), stalled)
        .get(10, TimeUnit.SECONDS);
    ws.sendText(new JsonObject().put("message", "talk a lot").encode(), true).get(10, TimeUnit.SECONDS);
    assertNotNull(awaitMessages(api, agentId, key, big + (STEPS - 1)),
        "the run did not finish while its client was not reading");
    // the server gave up on the client: its side of the connection is closed (the client sees it once it reads)
    ws.request(Long.MAX_VALUE);
    closed.get(30, TimeUnit.SECONDS);
  }

  /**
   * Scripts a run of {@link #STEPS} chained steps, each with a monologue and a send_message of {@link #PART}
   * characters of {@code fill} (about 6 MiB of events a step); answers the monologue text.
   */
  private static String scriptVerboseRun(char fill) {
    ScriptedLlm llm = TestServer.llm().reset();
    String big = String.valueOf(fill).repeat(PART);
    for (int i = 0; i < STEPS; i++) {
      llm.enqueue(Step.toolCall(big, "send_message", new JsonObject().put("message", big + i)
          .put("request_heartbeat", i < STEPS - 1)));
    }
    return big;
  }

  private static JsonArray awaitMessages(Api api, String agentId, String key, String lastMessage)
      throws InterruptedException {
    // generous: 16 MiB of events take a while when the machine is busy, and the wait ends as soon as they are stored
    long deadline = System.currentTimeMillis() + 180_000;
    while (System.currentTimeMillis() < deadline) {
      JsonArray recall = api.messages(agentId, key, 5);
      for (int i = 0; i < recall.size(); i++) {
        JsonArray calls = recall.getJsonObject(i).getJsonArray("tool_calls");
        if (calls != null && calls.getJsonObject(0).getJsonObject("function").getString("arguments")
            .contains(lastMessage + "\"")) {
          return recall;
        }
      }
      Thread.sleep(200);
    }
    return null;
  }
}
