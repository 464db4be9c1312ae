package dev.engram.agent;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import dev.engram.testkit.TempHomes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The MemGPT step loop seen from the API: chaining, tool failures, recall search, memory pressure, summarisation. */
class StepLoopTest {
  private static final List<String> EVENT_KINDS =
      List.of("internal_monologue", "function_call", "assistant_message", "function_return");

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();

  @BeforeEach
  void reset() {
    llm.reset();
  }

  // ---------------------------------------------------------------- chaining

  @Test
  @DisplayName("a heartbeat request chains a second step, which sees the edited core memory in a rebuilt system prompt")
  void heartbeatChaining() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "chainer");
    llm.enqueue(
        Step.toolCall("I should remember this.", "core_memory_append",
            new JsonObject().put("name", "human").put("content", "Likes sailing").put("request_heartbeat", true)),
        Step.sendMessage("Now I reply.", "Sailing sounds wonderful!"));

    Api.Response r = send(api, agentId, key, "I love sailing on weekends");

    assertEquals(200, r.status(), r.body());
    JsonObject body = r.json();
    JsonArray messages = body.getJsonArray("messages");
    assertEquals(List.of("internal_monologue", "function_call", "function_return", "internal_monologue",
        "function_call", "assistant_message", "function_return"), kinds(messages), messages.encodePrettily());
    assertEquals("I should remember this.", messages.getJsonObject(0).getString("internal_monologue"));
    assertEquals("core_memory_append({'name': 'human', 'content': 'Likes sailing'})",
        messages.getJsonObject(1).getString("function_call"));
    assertEquals("success", messages.getJsonObject(2).getString("status"));
    assertEquals("Sailing sounds wonderful!", messages.getJsonObject(5).getString("assistant_message"));
    assertEquals("success", messages.getJsonObject(6).getString("status"));

    JsonObject usage = body.getJsonObject("usage");
    assertEquals(2, usage.getInteger("step_count"));
    for (String field : List.of("completion_tokens", "prompt_tokens", "total_tokens")) {
      assertTrue(usage.getInteger(field) > 0, field + " in " + usage);
    }
    assertEquals(usage.getInteger("prompt_tokens") + usage.getInteger("completion_tokens"),
        usage.getInteger("total_tokens"));

    List<JsonObject> requests = llm.requests();
    assertEquals(2, requests.size());
    JsonObject heartbeat = lastEnvelope(requests.get(1));
    assertEquals("heartbeat", heartbeat.getString("type"), heartbeat.encode());
    assertTrue(heartbeat.getString("reason").contains("request_heartbeat=true"), heartbeat.encode());

    assertFalse(systemText(requests.get(0)).contains("Likes sailing"));
    assertTrue(systemText(requests.get(1)).contains("Likes sailing"), "system prompt was not rebuilt");

    String human = memory(api, agentId, key).getString("human");
    assertTrue(human.endsWith("\nLikes sailing"), human);
  }

  @Test
  @DisplayName("MAX_CHAINING_STEPS stops a model that always asks for another heartbeat")
  void chainingCap() {
    try (TestServer server = TestServer.start(TempHomes.create("engram-cap-"),
        Map.of("MAX_CHAINING_STEPS", "3"))) {
      String key = server.api.newUser().getString("api_key");
      String agentId = server.api.newAgent(key, "looper");
      llm.fallback(req -> Step.toolCall("Again.", "core_memory_append",
          new JsonObject().put("name", "persona").put("content", "loop").put("request_heartbeat", true)));

      Api.Response r = send(server.api, agentId, key, "go");

      assertEquals(200, r.status(), r.body());
      assertEquals(3, llm.requestCount());
      assertEquals(3, r.json().getJsonObject("usage").getInteger("step_count"));
      assertEquals(9, r.json().getJsonArray("messages").size());
    }
  }

  // ---------------------------------------------------------------- failing tools

  @Test
  @DisplayName("an unknown function fails with 'No function named' and the loop continues with a failure heartbeat")
  void unknownFunction() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "unknown-fn");
    llm.enqueue(Step.toolCall("Let me try.", "launch_rockets", new JsonObject().put("count", 3)));

    Api.Response r = send(api, agentId, key, "do something");

    assertEquals(200, r.status(), r.body());
    JsonArray messages = r.json().getJsonArray("messages");
    JsonObject ret = messages.getJsonObject(2);
    assertEquals("error", ret.getString("status"), ret.encode());
    assertEquals("No function named launch_rockets", ret.getString("function_return"));
    assertEquals(2, r.json().getJsonObject("usage").getInteger("step_count"));
    assertEquals("ok", messages.getJsonObject(5).getString("assistant_message"));

    List<JsonObject> requests = llm.requests();
    assertEquals(2, requests.size());
    JsonObject heartbeat = lastEnvelope(requests.get(1));
    assertEquals("heartbeat", heartbeat.getString("type"), heartbeat.encode());
    assertTrue(heartbeat.getString("reason").contains("failed"), heartbeat.encode());
    // the model also sees the failed result of its call, right before the heartbeat
    JsonArray sent = requests.get(1).getJsonArray("messages");
    JsonObject toolMessage = sent.getJsonObject(sent.size() - 2);
    assertEquals("tool", toolMessage.getString("role"));
    assertEquals("Failed", new JsonObject(toolMessage.getString("content")).getString("status"));
  }

  @Test
  @DisplayName("malformed JSON arguments fail with 'Error parsing JSON' and the model gets to react")
  void malformedArguments() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "bad-json");
    llm.enqueue(Step.rawToolCall("Oops.", "send_message", "{\"message\": \"unterminated"));

    Api.Response r = send(api, agentId, key, "hello");

    assertEquals(200, r.status(), r.body());
    JsonArray messages = r.json().getJsonArray("messages");
    assertEquals(List.of("internal_monologue", "function_call", "function_return", "internal_monologue",
        "function_call", "assistant_message", "function_return"), kinds(messages));
    JsonObject ret = messages.getJsonObject(2);
    assertEquals("error", ret.getString("status"));
    assertTrue(ret.getString("function_return").startsWith("Error parsing JSON"), ret.encode());
    assertEquals("heartbeat", lastEnvelope(llm.requests().get(1)).getString("type"));
  }

  @Test
  @DisplayName("core_memory_replace of text that is not there fails and leaves memory unchanged")
  void replaceMissingContent() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "replacer");
    String before = memory(api, agentId, key).getString("human");
    llm.enqueue(Step.toolCall("Fix the name.", "core_memory_replace", new JsonObject().put("name", "human")
        .put("old_content", "Name: Nobody-Like-This").put("new_content", "Name: Bob").put("request_heartbeat", false)));

    Api.Response r = send(api, agentId, key, "my name is Bob");

    assertEquals(200, r.status(), r.body());
    JsonObject ret = r.json().getJsonArray("messages").getJsonObject(2);
    assertEquals("error", ret.getString("status"), ret.encode());
    assertTrue(ret.getString("function_return").contains("Content not found in human"), ret.encode());
    assertEquals(2, r.json().getJsonObject("usage").getInteger("step_count"));
    assertEquals(before, memory(api, agentId, key).getString("human"));
  }

  @Test
  @DisplayName("a call without a required argument fails with an error naming the argument")
  void missingRequiredArgument() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "forgetful");
    String before = memory(api, agentId, key).getString("human");
    llm.enqueue(Step.toolCall("Note it.", "core_memory_append",
        new JsonObject().put("name", "human").put("request_heartbeat", false)));

    Api.Response r = send(api, agentId, key, "remember me");

    assertEquals(200, r.status(), r.body());
    JsonObject ret = r.json().getJsonArray("messages").getJsonObject(2);
    assertEquals("error", ret.getString("status"), ret.encode());
    assertTrue(ret.getString("function_return").contains("'content'"), ret.encode());
    assertEquals(2, r.json().getJsonObject("usage").getInteger("step_count"));
    assertEquals(before, memory(api, agentId, key).getString("human"));
  }

  // ---------------------------------------------------------------- recall search

  @Test
  @DisplayName("conversation_search finds an earlier user message by a word in it")
  void conversationSearch() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "searcher");
    assertEquals(200, send(api, agentId, key, "My favourite boat is called the Albatross").status());

    llm.enqueue(
        Step.toolCall("Let me look that up.", "conversation_search",
            new JsonObject().put("query", "albatross").put("request_heartbeat", true)),
        Step.toolCall("Another try.", "conversation_search",
            new JsonObject().put("query", "zeppelin").put("request_heartbeat", true)),
        Step.sendMessage("Found it.", "Your boat is the Albatross."));
    Api.Response r = send(api, agentId, key, "What was my boat called?");

    assertEquals(200, r.status(), r.body());
    List<JsonObject> returns = returns(r.json().getJsonArray("messages"));
    String found = returns.get(0).getString("function_return");
    assertEquals("success", returns.get(0).getString("status"));
    assertTrue(found.startsWith("Showing 1 of 1 results"), found);
    assertTrue(found.contains("user - My favourite boat is called the Albatross"), found);
    assertEquals("No results found.", returns.get(1).getString("function_return"));
    // the model receives the results as the tool message
    // (request 0 answered the first send, request 1 asked for the search, request 2 follows its result)
    JsonArray sent = llm.requests().get(2).getJsonArray("messages");
    JsonObject result = sent.getJsonObject(sent.size() - 2);
    assertEquals("tool", result.getString("role"));
    assertTrue(result.getString("content").contains("My favourite boat is called the Albatross"), result.encode());
  }

  @Test
  @DisplayName("conversation_search_date with today's date finds today's messages and an old range finds none")
  void conversationSearchDate() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "dater");
    assertEquals(200, send(api, agentId, key, "Kayaking on Tuesday was great").status());

    String today = LocalDate.now(ZoneOffset.UTC).toString();
    llm.enqueue(
        Step.toolCall(null, "conversation_search_date", new JsonObject().put("start_date", today)
            .put("end_date", today).put("request_heartbeat", true)),
        Step.toolCall(null, "conversation_search_date", new JsonObject().put("start_date", "2001-01-01")
            .put("end_date", "2001-01-31").put("request_heartbeat", true)),
        Step.sendMessage(null, "done"));
    Api.Response r = send(api, agentId, key, "What did we talk about today?");

    assertEquals(200, r.status(), r.body());
    List<JsonObject> returns = returns(r.json().getJsonArray("messages"));
    String found = returns.get(0).getString("function_return");
    assertEquals("success", returns.get(0).getString("status"));
    assertTrue(found.startsWith("Showing "), found);
    assertTrue(found.contains("Kayaking on Tuesday was great"), found);
    assertTrue(found.contains("What did we talk about today?"), found);
    assertEquals("No results found.", returns.get(1).getString("function_return"));
  }

  // ---------------------------------------------------------------- inputs

  @Test
  @DisplayName("a message sent with role system reaches the model as a system_alert envelope")
  void systemRoleMessage() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "alerted");

    Api.Response r = api.post("/api/agents/" + agentId + "/messages", key, new JsonObject()
        .put("message", "Scheduled maintenance tonight").put("role", "system"));

    assertEquals(200, r.status(), r.body());
    JsonObject last = lastMessage(llm.requests().get(0));
    assertEquals("user", last.getString("role"));
    JsonObject envelope = new JsonObject(last.getString("content"));
    assertEquals("system_alert", envelope.getString("type"));
    assertEquals("Scheduled maintenance tonight", envelope.getString("message"));
  }

  @Test
  @DisplayName("high token usage triggers one memory-pressure warning, and only once")
  void memoryPressureWarning() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "pressured");
    // the shared server's context window is 8192 tokens: 7000 + 100 is above 75%
    llm.enqueue(Step.sendMessage("Replying.", "Hello!").withUsage(7000, 100));

    Api.Response first = send(api, agentId, key, "hi");

    assertEquals(200, first.status(), first.body());
    assertEquals(2, first.json().getJsonObject("usage").getInteger("step_count"));
    List<JsonObject> requests = llm.requests();
    assertEquals(2, requests.size());
    JsonObject warning = lastEnvelope(requests.get(1));
    assertEquals("system_alert", warning.getString("type"), warning.encode());
    assertTrue(warning.getString("message").contains("reaching max length"), warning.encode());

    llm.clearRequests();
    llm.enqueue(Step.sendMessage("Replying.", "Hello again!").withUsage(7000, 100));
    Api.Response second = send(api, agentId, key, "hi again");

    assertEquals(200, second.status(), second.body());
    assertEquals(1, second.json().getJsonObject("usage").getInteger("step_count"));
    assertEquals(1, llm.requestCount());
  }

  // ---------------------------------------------------------------- summarisation

  @Test
  @DisplayName("when the context overflows, the oldest messages are summarised and stay in recall")
  void summarisationOnOverflow() {
    try (TestServer server = TestServer.start(TempHomes.create("engram-small-"),
        Map.of("LLM_CONTEXT_WINDOW", "3000"))) {
      String key = server.api.newUser().getString("api_key");
      String agentId = server.api.newAgent(key, "forgetter");
      llm.fallback(req -> isSummaryRequest(req) ? Step.text("SUMMARY-XYZ") : Step.sendMessage(null, "noted"));

      List<String> sentTexts = new ArrayList<>();
      int summaryAt = -1;
      for (int i = 0; i < 8 && summaryAt < 0; i++) {
        String text = longText(i);
        sentTexts.add(text);
        Api.Response r = send(server.api, agentId, key, text);
        assertEquals(200, r.status(), r.body());
        summaryAt = indexOfSummaryRequest(llm.requests());
      }
      assertTrue(summaryAt >= 0, "no summarisation after " + sentTexts.size() + " long messages");
      assertTrue(sentTexts.size() >= 2, "the context window fits the first message");

      List<JsonObject> requests = llm.requests();
      JsonObject summaryRequest = requests.get(summaryAt);
      assertEquals(0, summaryRequest.getJsonArray("tools", new JsonArray()).size());
      assertTrue(contents(summaryRequest).contains(sentTexts.get(0)), "the oldest message was not summarised");

      assertTrue(requests.size() > summaryAt + 1, "no agent request after the summary");
      JsonObject next = requests.get(summaryAt + 1);
      assertTrue(systemText(next).contains("<persona characters="), "the following request is not the agent's");
      boolean hasSummary = false;
      for (Object o : next.getJsonArray("messages")) {
        JsonObject m = (JsonObject) o;
        String content = m.getString("content");
        if ("user".equals(m.getString("role")) && content != null && content.contains("hidden from view")
            && content.contains("SUMMARY-XYZ")) {
          hasSummary = true;
        }
      }
      assertTrue(hasSummary, "no summary message in " + next.getJsonArray("messages").encodePrettily());
      assertFalse(contents(next).contains(sentTexts.get(0)), "the summarised message is still in the context");

      // nothing is lost: every message sent is still in recall, the summarised one no longer in context
      JsonArray recall = server.api.messages(agentId, key, 1000);
      for (int i = 0; i < sentTexts.size(); i++) {
        JsonObject stored = findUserMessage(recall, sentTexts.get(i));
        assertNotNull(stored, "message " + i + " is missing from recall");
        if (i == 0) {
          assertFalse(stored.getBoolean("in_context"));
        }
      }
      long recallCount = server.api.get("/api/agents/" + agentId + "/memory", key).json().getLong("recall_memory");
      assertEquals(recallCount, (long) recall.size());
    }
  }

  @Test
  @DisplayName("an LLM context_length_exceeded error triggers a summary and one retry that succeeds")
  void contextLengthExceededRetry() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "overflowed");
    llm.enqueue(Step.contextOverflow(), Step.text("SUMMARY-OVF"), Step.sendMessage("Fine now.", "Here I am."));

    Api.Response r = send(api, agentId, key, "are you there?");

    assertEquals(200, r.status(), r.body());
    JsonArray messages = r.json().getJsonArray("messages");
    assertEquals("Here I am.", messages.getJsonObject(2).getString("assistant_message"), messages.encode());
    List<JsonObject> requests = llm.requests();
    assertEquals(3, requests.size());
    assertTrue(isSummaryRequest(requests.get(1)));
    JsonObject retry = requests.get(2);
    assertTrue(contents(retry).contains("hidden from view") && contents(retry).contains("SUMMARY-OVF"));
    assertEquals("are you there?", lastEnvelope(retry).getString("message"));
  }

  // ---------------------------------------------------------------- failures

  @Test
  @DisplayName("a failing LLM gives 502 to a plain send and an in-band error to a stream; the message is kept")
  void llmFailure() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "unlucky");
    llm.fallback(req -> Step.error(503, new JsonObject().put("error",
        new JsonObject().put("message", "overloaded").put("type", "server_error"))));

    Api.Response r = send(api, agentId, key, "plain message during an outage");

    assertEquals(502, r.status(), r.body());
    assertTrue(r.detail().contains("LLM"), r.detail());
    assertNotNull(findUserMessage(api.messages(agentId, key, 50), "plain message during an outage"));

    StreamResult s = stream(api, agentId, key, "streamed message during an outage");

    assertEquals(200, s.status(), s.data().toString());
    assertEquals(2, s.data().size(), s.data().toString());
    JsonObject error = new JsonObject(s.data().get(0));
    assertTrue(error.getString("error").contains("LLM"), error.encode());
    assertEquals(502, error.getInteger("status"));
    assertEquals("[DONE]", s.data().get(1));
    assertNotNull(findUserMessage(api.messages(agentId, key, 50), "streamed message during an outage"));
  }

  @Test
  @DisplayName("an LLM that never answers gives 504 after LLM_TIMEOUT_MS")
  void llmTimeout() {
    try (TestServer server = TestServer.start(TempHomes.create("engram-timeout-"),
        Map.of("LLM_TIMEOUT_MS", "300", "LLM_MAX_RETRIES", "0"))) {
      String key = server.api.newUser().getString("api_key");
      String agentId = server.api.newAgent(key, "waiting");
      llm.enqueue(Step.hang());

      long start = System.nanoTime();
      Api.Response r = send(server.api, agentId, key, "hello?");
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;

      assertEquals(504, r.status(), r.body());
      assertTrue(r.detail().contains("LLM"), r.detail());
      assertTrue(elapsedMs < 5000, "took " + elapsedMs + " ms");
      assertEquals(1, llm.requestCount());
      assertNotNull(findUserMessage(server.api.messages(agentId, key, 50), "hello?"));
    }
  }

  @Test
  @DisplayName("without an LLM, sends answer 503 naming OPENAI_BASE_URL while agents and memory still work")
  void noLlmConfigured() {
    try (TestServer server = TestServer.start(TempHomes.create("engram-nollm-"),
        Map.of("OPENAI_BASE_URL", ""))) {
      Api a = server.api;
      String key = a.newUser().getString("api_key");
      String agentId = a.newAgent(key, "offline");
      Api.Response memory = a.get("/api/agents/" + agentId + "/memory", key);
      assertEquals(200, memory.status(), memory.body());
      assertTrue(memory.json().getJsonObject("core_memory").getString("persona").length() > 0);

      Api.Response r = send(a, agentId, key, "anyone home?");
      assertEquals(503, r.status(), r.body());
      assertTrue(r.detail().contains("OPENAI_BASE_URL"), r.detail());

      StreamResult s = stream(a, agentId, key, "anyone home?");
      assertEquals(503, s.status());
      assertTrue(new JsonObject(s.raw()).getString("detail").contains("OPENAI_BASE_URL"), s.raw());

      String otherKey = a.newUser().getString("api_key");
      Api.Response foreign = send(a, agentId, otherKey, "let me in");
      assertEquals(404, foreign.status(), foreign.body());
      assertEquals(0, llm.requestCount());
    }
  }

  // ---------------------------------------------------------------- helpers

  static Api.Response send(Api api, String agentId, String key, String message) {
    return api.post("/api/agents/" + agentId + "/messages", key,
        new JsonObject().put("agent_id", agentId).put("message", message).put("role", "user"));
  }

  static JsonObject memory(Api api, String agentId, String key) {
    Api.Response r = api.get("/api/agents/" + agentId + "/memory", key);
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonObject("core_memory");
  }

  static List<String> kinds(JsonArray events) {
    List<String> kinds = new ArrayList<>();
    for (Object o : events) {
      JsonObject e = (JsonObject) o;
      kinds.add(EVENT_KINDS.stream().filter(e::containsKey).findFirst().orElse("?" + e.encode()));
    }
    return kinds;
  }

  static List<JsonObject> returns(JsonArray events) {
    List<JsonObject> out = new ArrayList<>();
    for (Object o : events) {
      if (((JsonObject) o).containsKey("function_return")) {
        out.add((JsonObject) o);
      }
    }
    return out;
  }

  static JsonObject lastMessage(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages");
    return messages.getJsonObject(messages.size() - 1);
  }

  /** The JSON envelope of the request's last (user-role) message. */
  static JsonObject lastEnvelope(JsonObject request) {
    JsonObject last = lastMessage(request);
    assertEquals("user", last.getString("role"), last.encode());
    return new JsonObject(last.getString("content"));
  }

  static String systemText(JsonObject request) {
    JsonObject first = request.getJsonArray("messages").getJsonObject(0);
    assertEquals("system", first.getString("role"));
    return first.getString("content");
  }

  private static String contents(JsonObject request) {
    StringBuilder out = new StringBuilder();
    for (Object o : request.getJsonArray("messages")) {
      String content = ((JsonObject) o).getString("content");
      out.append(content == null ? "" : content).append('\n');
    }
    return out.toString();
  }

  private static boolean isSummaryRequest(JsonObject request) {
    String first = request.getJsonArray("messages").getJsonObject(0).getString("content");
    return first != null && first.contains("compressing");
  }

  private static int indexOfSummaryRequest(List<JsonObject> requests) {
    for (int i = 0; i < requests.size(); i++) {
      if (isSummaryRequest(requests.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** The stored user message whose envelope carries exactly {@code text}, or null. */
  static JsonObject findUserMessage(JsonArray recall, String text) {
    for (Object o : recall) {
      JsonObject m = (JsonObject) o;
      if ("user".equals(m.getString("role")) && m.getString("text") != null && m.getString("text").startsWith("{")
          && text.equals(new JsonObject(m.getString("text")).getString("message"))) {
        return m;
      }
    }
    return null;
  }

  /** About 300 words of ordinary English, different for each {@code n}. */
  private static String longText(int n) {
    String[] words = ("the harbour was quiet when we rowed out past the old lighthouse and watched gulls circle "
        + "over fishing boats while clouds drifted slowly across a pale morning sky toward distant hills").split(" ");
    StringBuilder out = new StringBuilder("Story number " + n + ":");
    for (int i = 0; i < 300; i++) {
      out.append(' ').append(words[(i * (n + 3) + n) % words.length]);
    }
    return out.append('.').toString();
  }

  record StreamResult(int status, List<String> data, String raw) {}

  /** A streaming send read to its end: the status, every {@code data:} payload, and the raw body. */
  static StreamResult stream(Api api, String agentId, String key, String message) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + "/api/agents/" + agentId + "/messages"))
        .timeout(Duration.ofSeconds(60)).header("authorization", "Bearer " + key)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("agent_id", agentId).put("message", message)
            .put("stream", true).encode()))
        .build();
    try {
      HttpResponse<java.io.InputStream> resp = HttpClient.newHttpClient()
          .send(request, HttpResponse.BodyHandlers.ofInputStream());
      List<String> data = new ArrayList<>();
      StringBuilder raw = new StringBuilder();
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          raw.append(line).append('\n');
          if (line.startsWith("data: ")) {
            data.add(line.substring(6));
          }
        }
      }
      return new StreamResult(resp.statusCode(), data, raw.toString().strip());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
