package dev.engram.http;

import static dev.engram.http.FuzzAnswers.frameProblem;
import static dev.engram.http.Variant.Kind.MALFORMED_JSON;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.SocketFrames;
import dev.engram.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.DisplayName;

/**
 * The fuzz battery of the WebSocket's frames ({@link FuzzRoutes#FRAMES}): each bad frame (malformed JSON, wrong types,
 * NUL and lone surrogates, over-long text, a binary message) is answered by an error frame with a 4xx status within
 * the deadline, on a socket that stays open; nothing is stored and the model is never called. The handshake's path is
 * in {@link RouteFuzzTest}'s batteries.
 */
class SocketFrameFuzzTest {
  private final TestServer server = TestServer.shared();

  @Test
  @DisplayName("bad WebSocket frames are answered by an error frame with a 4xx status, and the socket stays open")
  void badFrames() throws Exception {
    TestServer.llm().reset();
    FuzzUsers users = FuzzUsers.create(server, "frames");
    BodyVariants bodies = new BodyVariants(users.targets());
    FuzzRoute frames = FuzzRoutes.FRAMES;
    List<Variant> battery = new ArrayList<>(bodies.malformed(frames));
    battery.addAll(bodies.wrongTypes(frames));
    battery.addAll(bodies.characters(frames));
    battery.addAll(bodies.longStrings(frames));
    List<String> failures = new ArrayList<>();
    SocketFrames answers = new SocketFrames();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "Bearer " + users.owner.key)
        .buildAsync(URI.create("ws://localhost:" + server.port() + "/api/agents/" + users.owner.id("agent") + "/ws"),
            answers).get(10, TimeUnit.SECONDS);
    int sent = 0;
    try {
      for (Variant v : battery) {
        // a text message is UTF-8 by the protocol: no client sends invalid bytes in one
        if (frames.acceptance(v) != null || v.label().equals("invalid UTF-8")) {
          continue;
        }
        ws.sendText(new String(v.body(), StandardCharsets.UTF_8), true).get(10, TimeUnit.SECONDS);
        sent++;
        String problem = frameProblem(v, answers);
        if (problem != null) {
          failures.add(v.describe() + "\n    -> " + problem);
        }
      }
      ws.sendBinary(ByteBuffer.wrap(FuzzTargets.bytes("{\"message\": \"hello\"}")), true).get(10, TimeUnit.SECONDS);
      sent++;
      String binary = frameProblem(new Variant(MALFORMED_JSON, "frame", "a binary message", "FRAME", "", null, null,
          false), answers);
      if (binary != null) {
        failures.add("a binary message -> " + binary);
      }
    } finally {
      ws.abort();
    }
    int total = sent;
    assertTrue(failures.isEmpty(), () -> failures.size() + " of " + total + " frames were not refused properly:\n"
        + String.join("\n", failures));
    assertTrue(sent > 30, "sent " + sent);
    users.assertNothingStored();
  }
}
