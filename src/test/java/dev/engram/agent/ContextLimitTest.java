package dev.engram.agent;

import static dev.engram.agent.StepLoopTest.findUserMessage;
import static dev.engram.agent.StepLoopTest.send;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.model.Agent;
import dev.engram.model.Message;
import dev.engram.store.StoreClient;
import dev.engram.store.StoreProtocol.LoadedAgent;
import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One message never bricks an agent: a message longer than the context can hold is refused before it is stored, and
 * whatever the stored context holds, the next send works. The model here behaves like a real one: it refuses a
 * prompt longer than its window (context_length_exceeded), writes summaries, and otherwise replies.
 */
class ContextLimitTest {
  /** The shared server's LLM_CONTEXT_WINDOW (the default). */
  private static final int WINDOW = 8192;
  private static final TokenCounter TOKENS = new TokenCounter("gpt-4");
  private static final Pattern LIMIT = Pattern.compile("at most (\\d+) tokens per message");

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();

  @BeforeEach
  void reset() {
    llm.reset();
    llm.fallback(ContextLimitTest::modelWithWindow);
  }

  @Test
  @DisplayName("a message longer than the context window is refused with 422 naming the limit in tokens, is not"
      + " stored, and the next send works")
  void oversizedMessageRefused() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "bounded");
    JsonArray before = api.messages(agentId, key, 1000);
    String huge = words(0, 10_000);

    Api.Response plain = send(api, agentId, key, huge);
    assertEquals(422, plain.status(), plain.body());
    int limit = limitIn(plain.detail());
    assertTrue(limit > 1000 && limit < WINDOW, plain.detail());
    assertTrue(plain.detail().contains("The message is " + TOKENS.text(huge) + " tokens long"), plain.detail());
    StepLoopTest.StreamResult streamed = StepLoopTest.stream(api, agentId, key, huge);
    assertEquals(422, streamed.status(), "a stream is refused before it starts: " + streamed.raw());
    assertEquals(limit, limitIn(new JsonObject(streamed.raw()).getString("detail")));
    assertEquals(before, api.messages(agentId, key, 1000), "the refused message is stored nowhere");
    assertEquals(0, llm.requestCount());

    for (int i = 0; i < 3; i++) {
      Api.Response next = send(api, agentId, key, "a normal message " + i);
      assertEquals(200, next.status(), next.body());
    }
  }

  @Test
  @DisplayName("a message of exactly the limit is accepted and reaches the model whole, and the sends after it work")
  void messageAtTheLimit() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "roomy");
    int limit = limitIn(send(api, agentId, key, words(0, 10_000)).detail());
    String biggest = TOKENS.truncate(words(0, 10_000), limit);
    assertEquals(limit, TOKENS.text(biggest));

    Api.Response r = send(api, agentId, key, biggest);
    assertEquals(200, r.status(), r.body());
    assertTrue(llm.requests().get(0).getJsonArray("messages").encode().contains(biggest.substring(biggest.length()
        - 40)), "the model got the message whole");
    assertEquals(422, send(api, agentId, key, biggest + " one more").status(), "one token more is refused");
    for (int i = 0; i < 4; i++) {
      Api.Response next = send(api, agentId, key, "and then " + i);
      assertEquals(200, next.status(), next.body());
    }
    assertNotNull(findUserMessage(api.messages(agentId, key, 1000), biggest), "the big message is in recall");
  }

  @Test
  @DisplayName("a message longer than the window already in the stored context (as older versions could store) is"
      + " summarised away by the next send, which works")
  void oversizedMessageInStoredContext() throws Exception {
    JsonObject user = api.newUser();
    String key = user.getString("api_key");
    String agentId = api.newAgent(key, "legacy");
    String huge = words(0, 12_000);
    storeInContext(agentId, huge);
    // the agent was cached when it was created: revoking the key makes the server load the stored context
    assertEquals(200, api.delete("/admin/users/keys?api_key=" + key, TestServer.ADMIN).status());
    String newKey = api.post("/admin/users/keys", TestServer.ADMIN,
        new JsonObject().put("user_id", user.getString("user_id"))).json().getString("api_key");

    Api.Response r = send(api, agentId, newKey, "are you still there?");

    assertEquals(200, r.status(), r.body());
    List<JsonObject> requests = llm.requests();
    JsonObject summary = requests.stream().filter(ContextLimitTest::isSummary).findFirst().orElseThrow();
    assertTrue(summary.encode().contains("more tokens cut for this summary"), "the summariser got it cut short");
    String last = requests.get(requests.size() - 1).encode();
    assertTrue(last.contains("SUMMARY-OF-EARLIER"), last);
    assertFalse(last.contains(words(100, 5)), "the huge message left the context");
    JsonObject stored = findUserMessage(api.messages(agentId, newKey, 1000), huge);
    assertNotNull(stored, "the huge message stays in recall");
    assertFalse(stored.getBoolean("in_context"));
  }

  /** Appends a user message with {@code text} to the agent's stored context, as a server without a limit did. */
  private static void storeInContext(String agentId, String text) throws Exception {
    StoreClient store = new StoreClient(TestServer.shared().server().vertx());
    LoadedAgent loaded = await(store.loadAgent(agentId));
    Agent agent = loaded.agent();
    String envelope = new JsonObject().put("type", "user_message").put("message", text)
        .put("time", "2024-01-01 10:00:00 AM UTC+0000").encode();
    Message message = new Message(UUID.randomUUID().toString(), agentId, agent.userId(), Message.USER, envelope, null,
        List.of(), null, null, TOKENS.message(envelope, List.of()), Instant.now());
    List<String> ids = new ArrayList<>(agent.inContextIds());
    ids.add(message.id());
    await(store.saveAgent(agent.withContext(ids, false, Instant.now()), List.of(message),
        agent.inContextIds().size()));
  }

  /** Like a real model with a window of {@link #WINDOW} tokens (the request's messages and tools, counted as sent). */
  private static Step modelWithWindow(JsonObject request) {
    int tokens = TOKENS.text(request.getJsonArray("messages").encode())
        + TOKENS.text(request.getJsonArray("tools", new JsonArray()).encode());
    if (tokens > WINDOW) {
      return Step.contextOverflow();
    }
    return isSummary(request) ? Step.text("SUMMARY-OF-EARLIER") : Step.sendMessage(null, "noted");
  }

  private static boolean isSummary(JsonObject request) {
    String first = request.getJsonArray("messages").getJsonObject(0).getString("content");
    return first != null && first.contains("compressing");
  }

  private static int limitIn(String detail) {
    Matcher m = LIMIT.matcher(detail);
    assertTrue(m.find(), "the detail names the limit in tokens: " + detail);
    return Integer.parseInt(m.group(1));
  }

  /** "w{from} w{from+1} ..." : {@code count} distinct words. */
  private static String words(int from, int count) {
    StringBuilder out = new StringBuilder();
    for (int i = from; i < from + count; i++) {
      out.append(i == from ? "" : " ").append('w').append(i);
    }
    return out.toString();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
