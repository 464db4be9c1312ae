package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The semantic-memory chat API (seed 003) as its curl examples use it, with X-API-Key. */
class ChatApiTest {
  private static Api api;
  private static ScriptedLlm llm;
  private static final String KEY = TestServer.STATIC_KEY;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
    llm = TestServer.llm();
  }

  @BeforeEach
  void resetLlm() {
    llm.reset();
  }

  private static JsonObject createSession(String key, String userId) {
    Api.Response r = api.keyed("POST", "/sessions", key, new JsonObject().put("user_id", userId)
        .put("session_name", "Technical Discussion"));
    assertEquals(201, r.status(), r.body());
    return r.json();
  }

  private static Api.Response chat(String key, String sessionId, String userId, String message) {
    return api.keyed("POST", "/chat", key, new JsonObject().put("message", message).put("session_id", sessionId)
        .put("user_id", userId));
  }

  @Test
  @DisplayName("the seed's flow: health, create session, chat, recall across sessions, search, delete")
  void seedFlow() {
    Api.Response health = api.keyed("GET", "/health", null, null);
    assertEquals(200, health.status(), health.body());
    assertEquals("healthy", health.json().getString("status"));
    assertEquals("connected", health.json().getString("database"));
    assertNotNull(health.json().getString("timestamp"));

    String user = "user-" + System.nanoTime();
    JsonObject first = createSession(KEY, user);
    String firstId = first.getString("session_id");
    assertEquals(user, first.getString("user_id"));
    assertEquals(0, first.getInteger("message_count"));
    assertNotNull(first.getString("created_at"));

    llm.enqueue(Step.text("Python is a great choice for data pipelines."));
    Api.Response hello = chat(KEY, firstId, user, "I am building data pipelines in Python with pandas.");
    assertEquals(200, hello.status(), hello.body());
    assertEquals("Python is a great choice for data pipelines.", hello.json().getString("response"));
    assertEquals(firstId, hello.json().getString("session_id"));
    assertEquals(0, hello.json().getInteger("relevant_context_count"), "nothing to remember yet");
    assertEquals(2, api.keyed("GET", "/sessions/" + firstId, KEY, null).json().getInteger("message_count"));

    JsonObject second = createSession(KEY, user);
    llm.clearRequests();
    llm.enqueue(Step.text("Earlier you said you use pandas."));
    Api.Response recall = chat(KEY, second.getString("session_id"), user, "What did we discuss about Python?");
    assertEquals(200, recall.status(), recall.body());
    assertTrue(recall.json().getInteger("relevant_context_count") >= 1, recall.body());
    JsonArray sent = llm.requests().get(0).getJsonArray("messages");
    assertTrue(sent.getJsonObject(0).getString("content").contains("data pipelines"),
        "the earlier session's message reached the model as a relevant memory: " + sent.encodePrettily());

    Api.Response search = api.keyed("POST", "/search", KEY, new JsonObject().put("query", "machine learning in Python")
        .put("session_id", firstId).put("user_id", user).put("limit", 10));
    assertEquals(200, search.status(), search.body());
    JsonArray memories = search.json().getJsonArray("memories");
    assertEquals(2, memories.size(), "this session's two messages: " + memories.encodePrettily());
    JsonObject hit = memories.getJsonObject(0);
    assertEquals(firstId, hit.getJsonObject("value").getString("session_id"));
    assertNotNull(hit.getJsonObject("value").getString("content"));
    assertNotNull(hit.getJsonObject("value").getString("role"));
    assertNotNull(hit.getString("key"));
    assertNotNull(hit.getString("timestamp"));
    assertTrue(hit.getDouble("score") >= 0 && hit.getDouble("score") <= 1);
    assertEquals(2, search.json().getInteger("count"));

    Api.Response deleted = api.keyed("DELETE", "/sessions/" + firstId, KEY, null);
    assertEquals(200, deleted.status(), deleted.body());
    assertEquals("Session " + firstId + " deleted successfully", deleted.json().getString("message"));
    assertEquals(404, api.keyed("GET", "/sessions/" + firstId, KEY, null).status());
    assertEquals(0, api.keyed("POST", "/search", KEY, new JsonObject().put("query", "pandas")
        .put("session_id", firstId).put("user_id", user)).json().getInteger("count"), "its memories went with it");
  }

  @Test
  @DisplayName("a message too long for the model's context window answers 422 (the model's context_length_exceeded),"
      + " not 502, and Mem0's add with inference the same; nothing is stored by either")
  void textTooLongForTheModel() {
    String user = "overflow-" + System.nanoTime();
    String session = createSession(KEY, user).getString("session_id");
    llm.enqueue(Step.contextOverflow());
    Api.Response chat = chat(KEY, session, user, "A very long message.");
    assertEquals(422, chat.status(), chat.body());
    assertTrue(chat.detail().contains("context window"), chat.body());
    assertEquals(0, api.keyed("GET", "/sessions/" + session, KEY, null).json().getInteger("message_count"),
        "the refused message is not kept: replayed to the session's next chats, it would fail each of them");
    llm.enqueue(Step.contextOverflow());
    Api.Response add = api.keyed("POST", "/memories", KEY, new JsonObject().put("user_id", user)
        .put("messages", "A very long conversation."));
    assertEquals(422, add.status(), add.body());
    assertTrue(add.detail().contains("context window"), add.body());
    assertEquals(0, api.keyed("GET", "/memories?user_id=" + user, KEY, null).json().getJsonArray("results").size(),
        "no memory was added");
  }

  @Test
  @DisplayName("an LLM failure answers 502 and keeps the user's message; bad input and bad keys are refused")
  void faultsAndBadInput() {
    String user = "faults-" + System.nanoTime();
    String session = createSession(KEY, user).getString("session_id");
    JsonObject down = new JsonObject().put("error", new JsonObject().put("message", "overloaded"));
    llm.enqueue(Step.error(503, down), Step.error(503, down));
    Api.Response failed = chat(KEY, session, user, "Remember that my flight is on Tuesday.");
    assertEquals(502, failed.status(), failed.body());
    assertEquals(1, api.keyed("GET", "/sessions/" + session, KEY, null).json().getInteger("message_count"),
        "the accepted message is kept");

    assertEquals(401, api.keyed("POST", "/sessions", null, new JsonObject().put("user_id", user)).status());
    assertEquals(403, api.keyed("POST", "/sessions", "dev-key-12345", new JsonObject().put("user_id", user))
        .status(), "there is no built-in development key");
    Api.Response noUser = api.keyed("POST", "/sessions", KEY, new JsonObject().put("session_name", "x"));
    assertEquals(422, noUser.status());
    assertTrue(noUser.detail().contains("user_id"));
    assertEquals(422, chat(KEY, session, user, "").status());
    assertEquals(422, api.keyed("POST", "/chat", KEY, new JsonObject().put("message", "hi")).status());
    assertEquals(404, chat(KEY, "550e8400-e29b-41d4-a716-446655440000", user, "hi").status());
    assertEquals(404, chat(KEY, session, "someone-else", "hi").status(), "a session of another user_id");
    assertEquals(404, api.keyed("GET", "/sessions/not-a-uuid", KEY, null).status());
    assertEquals(1, api.keyed("GET", "/sessions/" + session, KEY, null).json().getInteger("message_count"));
  }

  @Test
  @DisplayName("relevant_context_count counts what the answer was given: a follow-up counts the session's earlier"
      + " turns replayed to the model")
  void followUpCountsItsContext() {
    String user = "followup-" + System.nanoTime();
    String session = createSession(KEY, user).getString("session_id");
    llm.enqueue(Step.text("Nice to meet you, Ada."));
    Api.Response first = chat(KEY, session, user, "My name is Ada and I repair clocks.");
    assertEquals(200, first.status(), first.body());
    assertEquals(0, first.json().getInteger("relevant_context_count"), "a first message has no context");

    llm.clearRequests();
    llm.enqueue(Step.text("You repair clocks."));
    Api.Response second = chat(KEY, session, user, "What do I repair?");
    assertEquals(200, second.status(), second.body());
    JsonArray sent = llm.requests().get(0).getJsonArray("messages");
    assertTrue(sent.encode().contains("My name is Ada and I repair clocks.")
        && sent.encode().contains("Nice to meet you, Ada."), "the answer was given both turns: " + sent.encode());
    assertEquals(2, second.json().getInteger("relevant_context_count"), second.body());
  }

  @Test
  @DisplayName("relevant_context_count is exactly what the model was given: memories retrieved (a Mem0 fact of the"
      + " user included) plus the session's earlier messages, on a fresh session's first and second message")
  void countIsWhatThePromptHolds() {
    String user = "counted-" + System.nanoTime();
    Api.Response fact = api.keyed("POST", "/memories", KEY, new JsonObject().put("user_id", user).put("infer", false)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", "My clock workshop is in Leeds."))));
    assertEquals(200, fact.status(), fact.body());
    String session = createSession(KEY, user).getString("session_id");

    llm.enqueue(Step.text("In Leeds."));
    Api.Response first = chat(KEY, session, user, "Where is my clock workshop?");
    assertEquals(200, first.status(), first.body());
    assertEquals(1, contextIn(llm.requests().get(0)), "the Mem0 fact was retrieved");
    assertEquals(1, first.json().getInteger("relevant_context_count"), first.body());

    llm.clearRequests();
    llm.enqueue(Step.text("Clocks."));
    Api.Response second = chat(KEY, session, user, "What do I repair in my workshop?");
    assertEquals(200, second.status(), second.body());
    int given = contextIn(llm.requests().get(0));
    assertTrue(given >= 2, "the first exchange is replayed: " + llm.requests().get(0).encode());
    assertEquals(given, second.json().getInteger("relevant_context_count"), second.body());
  }

  /** How much stored context a chat request gave the model: memory lines in the system prompt, replayed turns. */
  private static int contextIn(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages");
    String system = messages.getJsonObject(0).getString("content");
    int memories = (int) system.lines().filter(line -> line.startsWith("- [")).count();
    return memories + messages.size() - 2; // less the system prompt and the new message
  }

  @Test
  @DisplayName("blank user_id and session_id are missing required fields (422) on /sessions and /chat")
  void blankIds() {
    String session = createSession(KEY, "blank-check").getString("session_id");
    for (String blank : new String[] {"", "  "}) {
      Api.Response noUser = api.keyed("POST", "/sessions", KEY, new JsonObject().put("user_id", blank));
      assertEquals(422, noUser.status(), noUser.body());
      assertTrue(noUser.detail().contains("user_id"), noUser.detail());
      Api.Response chatNoUser = chat(KEY, session, blank, "hi");
      assertEquals(422, chatNoUser.status(), chatNoUser.body());
      assertTrue(chatNoUser.detail().contains("user_id"), chatNoUser.detail());
      Api.Response chatNoSession = chat(KEY, blank, "blank-check", "hi");
      assertEquals(422, chatNoSession.status(), chatNoSession.body());
      assertTrue(chatNoSession.detail().contains("session_id"), chatNoSession.detail());
    }
    assertEquals(0, api.keyed("GET", "/sessions/" + session, KEY, null).json().getInteger("message_count"));
    assertEquals(0, llm.requestCount());
  }
}
