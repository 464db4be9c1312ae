package dev.engram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The terminal chat against a live server: what a person at the terminal types and reads. */
class ChatSessionTest {
  private final TestServer server = TestServer.shared();
  private final ScriptedLlm llm = TestServer.llm();

  private record Transcript(int exitCode, String text) {
    List<String> lines() {
      return text.lines().toList();
    }
  }

  private Transcript chat(String key, String agent, String typed) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ChatSession session = new ChatSession(new ServerClient(server.server().baseUrl(), key),
        new BufferedReader(new StringReader(typed)), new EventPrinter(out, false));
    int code = session.run(agent);
    return new Transcript(code, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("names a new agent, streams its step in order, and shows the memory it edited")
  void chatWithANewAgent() throws Exception {
    String key = server.api.newUser().getString("api_key");
    llm.enqueue(
        Step.toolCall("I should remember that.", "core_memory_append",
            new JsonObject().put("name", "human").put("content", "Drinks green tea.").put("request_heartbeat", true)),
        Step.sendMessage("Now answer.", "Noted: green tea it is."));

    Transcript t = chat(key, null, "Tea Friend\nI only drink green tea\n/memory\n/exit\n");

    assertEquals(0, t.exitCode(), t.text());
    String text = t.text();
    int thinks = text.indexOf("(thinks) I should remember that.");
    int call = text.indexOf("-> core_memory_append(");
    int ret = text.indexOf("<- ", call);
    int answer = text.indexOf("agent> Noted: green tea it is.");
    int memory = text.indexOf("[human]");
    assertTrue(thinks >= 0 && call > thinks && ret > call && answer > ret && memory > answer, text);
    int persona = text.indexOf("[persona]");
    assertTrue(memory >= 0 && persona > memory && text.substring(memory, persona).contains("  Drinks green tea."), text);
    assertFalse(text.contains("send_message("), "send_message shows as the agent's words: " + text);
    assertTrue(text.contains("Created Tea Friend"), text);
    assertTrue(server.api.get("/api/agents", key).json().getJsonArray("agents").getJsonObject(0)
        .getString("name").equals("Tea Friend"));
  }

  @Test
  @DisplayName("an existing agent is found by name; a failed step is reported and the chat goes on")
  void failuresAreShownAndTheChatGoesOn() throws Exception {
    String key = server.api.newUser().getString("api_key");
    server.api.newAgent(key, "steady");
    llm.enqueue(Step.error(500, new JsonObject().put("error", new JsonObject().put("message", "model down"))),
        Step.error(500, new JsonObject().put("error", new JsonObject().put("message", "model down"))),
        Step.sendMessage("Back.", "I am back."));

    Transcript t = chat(key, "steady", "hello?\nstill there?\n");

    assertEquals(0, t.exitCode(), t.text());
    assertTrue(t.text().contains("Chatting with steady"), t.text());
    assertTrue(t.text().contains("error: The LLM endpoint failed"), t.text());
    assertTrue(t.text().contains("agent> I am back."), t.text());
  }

  @Test
  @DisplayName("an unknown agent is created only when the user says yes; a bad token is refused with the server's words")
  void unknownAgentAndBadToken() throws Exception {
    String key = server.api.newUser().getString("api_key");
    Transcript declined = chat(key, "nobody", "n\n");
    assertEquals(0, declined.exitCode());
    assertTrue(server.api.get("/api/agents", key).json().getJsonArray("agents").isEmpty());

    Transcript refused = chat("sk-not-a-key", null, "");
    assertEquals(1, refused.exitCode());
    assertTrue(refused.text().startsWith("error: "), refused.text());
    assertFalse(refused.text().contains("{\"detail\""), refused.text());
  }

  @Test
  @DisplayName("the jar's command line has the chat subcommand")
  void chatIsASubcommandOfTheJar() {
    java.io.StringWriter usage = new java.io.StringWriter();
    picocli.CommandLine cli = new picocli.CommandLine(new dev.engram.Main());
    cli.setOut(new java.io.PrintWriter(usage));
    assertEquals(0, cli.execute("chat", "--help"));
    assertTrue(usage.toString().contains("Usage: engram chat"), usage.toString());
    assertTrue(usage.toString().contains("/memory"), usage.toString());
  }
}
