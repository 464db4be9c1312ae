package dev.engram.web;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The web app in a real browser: headless Chromium (Debian's {@code chromium}, installed by .ci/run) driven by
 * playwright-core (installed by scripts/test-clients.sh) runs {@code src/test/js/webapp.cjs} against a private server
 * with the scripted model. The script asks this test to restart the server (same home, same port) through a small
 * control endpoint, to check that the app reconnects by itself. Screenshots of the main screens go to
 * {@code target/screenshots/}.
 */
class WebAppBrowserTest {
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

  private final ScriptedLlm llm = TestServer.llm();
  private TestServer server;
  private HttpServer control;

  @AfterEach
  void stop() {
    if (control != null) {
      control.stop(0);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  @DisplayName("in Chromium: sign in, create an agent, chat with live events in order, edit a block, search archival,"
      + " upload, Mem0 memories, reconnect after a restart, a model failure, paged history, the admin's dashboard"
      + " moving with steps (none for a user), a phone-sized screen")
  void theWebAppInABrowser() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
        + " (apt-get install chromium, as .ci/run does): the browser test of the web app is skipped");
    assumeTrue(Files.isDirectory(NodeScript.clientsDir().resolve("node_modules/playwright-core")),
        "playwright-core is not installed: run scripts/test-clients.sh (scripts/test.sh does it)");
    llm.reset();
    // the first message: a memory edit, then the answer after the heartbeat (tokens trickle in)
    llm.enqueue(
        Step.toolCall("They told me their favourite colour; I will keep it in core memory.", "core_memory_append",
            new JsonObject().put("name", "human").put("content", "Favourite colour: teal.")
                .put("request_heartbeat", true)).after(1500).chunksEvery(15),
        Step.sendMessage("Saved it. Now I tell them.", "Got it, I will remember that your favourite colour is teal.")
            .chunksEvery(15),
        // after the restart
        Step.sendMessage("They are back.", "Still here, and I still remember: teal."),
        // the model refuses the next call (401 is not retried): the server answers the socket with its error
        Step.error(401, new JsonObject().put("error", new JsonObject().put("message", "Incorrect API key provided")
            .put("type", "invalid_request_error"))));

    Path home = TempHomes.create("engram-webapp-");
    server = TestServer.start(home, Map.of());
    int port = server.port();
    control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    control.createContext("/restart", exchange -> {
      String answer;
      int status;
      try {
        server.close();
        server = startOnPort(home, port);
        answer = "restarted on " + server.port();
        status = 200;
      } catch (RuntimeException e) {
        answer = "restart failed: " + e;
        status = 500;
      }
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    control.start();

    Path shots = Path.of("target", "screenshots").toAbsolutePath();
    NodeScript.Run run = NodeScript.run("webapp.cjs", Map.of(
        "ENGRAM_URL", "http://localhost:" + port,
        "ENGRAM_ADMIN", TestServer.ADMIN,
        "CONTROL_URL", "http://127.0.0.1:" + control.getAddress().getPort(),
        "CHROMIUM", CHROMIUM.toString(),
        "SCREENSHOTS", shots.toString()), 300);
    System.out.println(run.output());
    assertEquals(0, run.exitCode(), run::output);
    assertTrue(Files.exists(shots.resolve("03-chat.png")), "screenshots saved in " + shots);
    assertTrue(Files.exists(shots.resolve("11-dashboard.png")), "the dashboard's screenshot saved in " + shots);
  }

  /** The same home on the same port; the port may take a moment to be free again. */
  private static TestServer startOnPort(Path home, int port) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        return TestServer.start(home, Map.of("PORT", String.valueOf(port)));
      } catch (RuntimeException e) {
        last = e;
        try {
          Thread.sleep(250);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    throw last;
  }
}
