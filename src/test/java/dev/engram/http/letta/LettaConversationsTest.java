package dev.engram.http.letta;

import static dev.engram.http.letta.LettaMessagesTest.assertStatus;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.SseStream;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Conversations on Letta's /v1: several threads on one agent, with their own messages on the agent's memory. */
class LettaConversationsTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;
  private String agent;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
    agent = Letta.createAgent(api, key, "conversations").getString("id");
  }

  private JsonObject create(JsonObject body) {
    Api.Response r = api.post("/v1/conversations/?agent_id=" + agent, key, body);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private String conversation() {
    return create(new JsonObject()).getString("id");
  }

  private static JsonObject userMessage(String text) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", text)));
  }

  /** A blocking send to a conversation (its sends stream unless told not to); answers the LettaResponse. */
  private JsonObject send(String conversation, String text) {
    Api.Response r = api.post("/v1/conversations/" + conversation + "/messages", key,
        userMessage(text).put("streaming", false));
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private JsonArray history(String conversation) {
    Api.Response r = api.get("/v1/conversations/" + conversation + "/messages?order=asc&limit=1000", key);
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body());
  }

  /** The text of every message of a model request, joined. */
  private static String prompt(JsonObject request) {
    StringBuilder out = new StringBuilder();
    request.getJsonArray("messages").forEach(m -> out.append(((JsonObject) m).getString("content")).append('\n'));
    return out.toString();
  }

  /** The model's answer to the last user message: "echo: " and its text (a user message is a JSON envelope). */
  private static Step echo(JsonObject request) {
    return Step.sendMessage("Echoing.", "echo: " + lastUserText(request));
  }

  private static String lastUserText(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages");
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonObject m = messages.getJsonObject(i);
      if ("user".equals(m.getString("role"))) {
        String content = m.getString("content");
        return content.startsWith("{") ? new JsonObject(content).getString("message", content) : content;
      }
    }
    return "";
  }

  @Test
  @DisplayName("create, retrieve, list (agent filter, paging both ways, archived), update and delete")
  void lifecycle() {
    JsonObject first = create(new JsonObject().put("summary", "Support chat with Ann")
        .put("description", "first").put("context_window_limit", 6000).put("model", "openai/gpt-4o-mini"));
    assertTrue(first.getString("id").startsWith("conv-"), first.encode());
    assertEquals(agent, first.getString("agent_id"));
    assertEquals("Support chat with Ann", first.getString("summary"));
    assertEquals(6000, first.getInteger("context_window_limit"));
    assertEquals("openai/gpt-4o-mini", first.getString("model"));
    assertFalse(first.getBoolean("archived"));
    assertEquals(1, first.getJsonArray("in_context_message_ids").size(), "a conversation starts with its system"
        + " message");
    String second = conversation();
    String third = create(new JsonObject().put("summary", "Billing with Bob")).getString("id");
    String hidden = create(new JsonObject().put("hidden", true)).getString("id");

    assertEquals(first, api.get("/v1/conversations/" + first.getString("id"), key).json());
    JsonArray listed = new JsonArray(api.get("/v1/conversations/?agent_id=" + agent, key).body());
    assertEquals(List.of(third, second, first.getString("id")), Letta.ids(listed), "newest first; hidden not shown");
    assertEquals(List.of(first.getString("id"), second, third), walk("agent_id=" + agent + "&order=asc&limit=1"));
    assertEquals(List.of(third, second, first.getString("id")), walk("agent_id=" + agent + "&limit=2"));
    assertEquals(List.of(third), Letta.ids(new JsonArray(api.get("/v1/conversations/?summary_search=bob", key)
        .body())));
    // another agent of the user has its own conversations
    String otherAgent = Letta.createAgent(api, key, "other-agent").getString("id");
    Api.Response otherConversation = api.post("/v1/conversations/?agent_id=" + otherAgent, key, new JsonObject());
    assertEquals(200, otherConversation.status(), otherConversation.body());
    assertEquals(3, new JsonArray(api.get("/v1/conversations/?agent_id=" + agent, key).body()).size());
    assertEquals(4, new JsonArray(api.get("/v1/conversations/", key).body()).size(), "all the user's agents");

    JsonObject updated = api.patch("/v1/conversations/" + second, key, new JsonObject().put("summary", "renamed")
        .put("archived", true)).json();
    assertEquals("renamed", updated.getString("summary"));
    assertTrue(updated.getBoolean("archived"));
    assertNotNull(updated.getString("archived_at"));
    assertEquals(List.of(third, first.getString("id")), Letta.ids(new JsonArray(api.get(
        "/v1/conversations/?agent_id=" + agent, key).body())), "archived ones are listed on request only");
    assertEquals(List.of(second), Letta.ids(new JsonArray(api.get("/v1/conversations/?agent_id=" + agent
        + "&archive_status=archived", key).body())));

    llm.enqueue(Step.sendMessage("Hm.", "hello"));
    send(third, "hi");
    String runId = new JsonArray(api.get("/v1/runs/?conversation_id=" + third, key).body()).getJsonObject(0)
        .getString("id");
    assertEquals(third, api.get("/v1/runs/" + runId, key).json().getString("conversation_id"));
    assertEquals(List.of(third, first.getString("id")), Letta.ids(new JsonArray(api.get(
        "/v1/conversations/?agent_id=" + agent + "&order_by=last_message_at", key).body())),
        "by last message: the used one first, never-used ones last");

    Api.Response deleted = api.delete("/v1/conversations/" + third, key);
    assertEquals(200, deleted.status(), deleted.body());
    assertStatus(404, api.get("/v1/conversations/" + third, key), "not found");
    assertStatus(404, api.get("/v1/conversations/" + third + "/messages", key), "not found");
    assertStatus(404, api.get("/v1/runs/" + runId, key), "not found");
    assertStatus(404, api.post("/v1/conversations/" + third + "/messages", key, userMessage("x")), "not found");
    assertEquals(200, api.get("/v1/conversations/" + hidden, key).status(), "hidden, not gone");

    // deleting the agent deletes its conversations
    assertEquals(200, api.delete("/v1/agents/" + agent, key).status());
    assertStatus(404, api.get("/v1/conversations/" + second, key), "not found");
    assertEquals(1, new JsonArray(api.get("/v1/conversations/", key).body()).size());
  }

  /** Follows the SDK's pager over the user's conversations: next page after the last id, until an empty page. */
  private List<String> walk(String query) {
    List<String> out = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < 20; pages++) {
      JsonArray page = new JsonArray(api.get("/v1/conversations/?" + query + (after == null ? "" : "&after="
          + after), key).body());
      if (page.isEmpty()) {
        return out;
      }
      out.addAll(Letta.ids(page));
      after = page.getJsonObject(page.size() - 1).getString("id");
    }
    throw new AssertionError("the pager did not end: " + out);
  }

  @Test
  @DisplayName("two conversations have their own histories and contexts: one's messages never reach the other's"
      + " prompt, nor the agent's own thread, nor the other's recall search")
  void separateThreads() {
    String a = conversation();
    String b = conversation();
    llm.fallback(LettaConversationsTest::echo);
    send(a, "My secret word is pineapple.");
    llm.clearRequests();
    send(b, "What is my secret word?");
    assertFalse(prompt(llm.requests().get(0)).contains("pineapple"), "b's prompt holds none of a's messages");
    assertTrue(prompt(llm.requests().get(0)).contains("What is my secret word?"));

    llm.enqueue(Step.toolCall("Let me search.", "conversation_search", new JsonObject().put("query", "pineapple")
        .put("request_heartbeat", true)), Step.sendMessage("Nothing.", "I do not know it."));
    JsonArray steps = send(b, "Search for it").getJsonArray("messages");
    JsonObject found = steps.stream().map(m -> (JsonObject) m)
        .filter(m -> "tool_return_message".equals(m.getString("message_type"))).findFirst().orElseThrow();
    assertEquals("No results found.", found.getString("tool_return"), "recall search stays in its thread");

    String aHistory = history(a).encode();
    String bHistory = history(b).encode();
    assertTrue(aHistory.contains("word is pineapple"));
    assertFalse(bHistory.contains("word is pineapple"), "b searched for it, but never heard it");
    assertEquals("system_message", history(a).getJsonObject(0).getString("message_type"));
    llm.clearRequests();
    Api.Response own = api.post("/v1/agents/" + agent + "/messages", key, userMessage("And in your own thread?"));
    assertEquals(200, own.status(), own.body());
    assertFalse(prompt(llm.requests().get(0)).contains("pineapple"));
    assertFalse(prompt(llm.requests().get(0)).contains("secret word"));
    assertFalse(api.get("/v1/agents/" + agent + "/messages?limit=1000", key).body().contains("pineapple"));
    assertTrue(api.get("/v1/agents/" + agent + "/messages?limit=1000&conversation_id=" + a, key).body()
        .contains("pineapple"), "an agent's history of one of its conversations");
    // the agent's own thread, by Letta's name for it
    JsonArray viaDefault = new JsonArray(api.get("/v1/conversations/default/messages?agent_id=" + agent, key)
        .body());
    assertTrue(viaDefault.encode().contains("And in your own thread?"));
    assertEquals(4, api.get("/v1/conversations/" + a, key).json().getJsonArray("in_context_message_ids").size(),
        "the system message, the user's message, the agent's reply and its return (send_message)");
  }

  @Test
  @DisplayName("threads share the agent's blocks: an edit by one conversation shows in the other's next prompt, an"
      + " edit through the API in both; a tool detached from the agent leaves every thread")
  void sharedMemory() {
    String a = conversation();
    String b = conversation();
    llm.enqueue(Step.sendMessage("Hi.", "hello"));
    send(b, "hello b"); // b's runtime is live before a edits the block
    llm.enqueue(Step.toolCall("Noting it.", "core_memory_append", new JsonObject().put("name", "human")
        .put("content", "Likes green tea.").put("request_heartbeat", true)), Step.sendMessage("Done.", "Noted."));
    send(a, "I like green tea");
    llm.clearRequests();
    llm.enqueue(Step.sendMessage("Hm.", "ok"));
    send(b, "what do I like?");
    assertTrue(Letta.systemPrompt(llm.requests().get(0)).contains("Likes green tea."), "b's next prompt shows a's"
        + " edit");

    Api.Response edit = api.patch("/v1/agents/" + agent + "/core-memory/blocks/human", key,
        new JsonObject().put("value", "The human is called Ann."));
    assertEquals(200, edit.status(), edit.body());
    String tool = api.get("/v1/tools/name/archival_memory_search", key).body().replace("\"", "");
    Api.Response detached = api.patch("/v1/agents/" + agent + "/tools/detach/" + tool, key, null);
    assertEquals(200, detached.status(), detached.body());
    Api.Response system = api.patch("/v1/agents/" + agent, key, new JsonObject().put("system", "You are terse."));
    assertEquals(200, system.status(), system.body());
    llm.clearRequests();
    llm.enqueue(Step.sendMessage("Hm.", "ok"), Step.sendMessage("Hm.", "ok"));
    send(a, "who am I?");
    send(b, "who am I?");
    for (JsonObject request : llm.requests()) {
      String prompt = Letta.systemPrompt(request);
      assertTrue(prompt.startsWith("You are terse."), prompt);
      assertTrue(prompt.contains("The human is called Ann."), prompt);
      assertFalse(Letta.toolNames(request).contains("archival_memory_search"), Letta.toolNames(request)::toString);
      assertTrue(Letta.toolNames(request).contains("send_message"));
    }
  }

  @Test
  @DisplayName("sends to two conversations of one agent run concurrently: a slow model reply in one does not hold"
      + " the other")
  void conversationsRunConcurrently() throws Exception {
    String slow = conversation();
    String quick = conversation();
    llm.fallback(request -> lastUserText(request).contains("slowly")
        ? Step.sendMessage("Taking my time.", "slow answer").after(1500) : echo(request));
    CompletableFuture<JsonObject> pending = CompletableFuture.supplyAsync(() -> send(slow, "answer slowly"));
    for (int i = 0; i < 200 && llm.requestCount() == 0; i++) {
      Thread.sleep(10);
    }
    assertEquals(1, llm.requestCount(), "the slow send reached the model");
    long start = System.nanoTime();
    JsonObject answered = send(quick, "quick one");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals("echo: quick one", answered.getJsonArray("messages").getJsonObject(1).getString("content"));
    assertFalse(pending.isDone(), "the slow one is still running");
    assertTrue(ms < 1200, "the quick send took " + ms + " ms");
    assertEquals("slow answer", pending.get(10, TimeUnit.SECONDS).getJsonArray("messages").getJsonObject(1)
        .getString("content"));
  }

  @Test
  @DisplayName("ten concurrent sends to one conversation are all answered, one after another, stored in order (no"
      + " 409)")
  void sendsToOneConversationQueue() throws Exception {
    String c = conversation();
    llm.fallback(request -> echo(request).after(20));
    List<CompletableFuture<Api.Response>> sends = IntStream.range(0, 10).mapToObj(i -> CompletableFuture
        .supplyAsync(() -> api.post("/v1/conversations/" + c + "/messages", key,
            userMessage("message " + i).put("streaming", false)))).toList();
    for (int i = 0; i < 10; i++) {
      Api.Response r = sends.get(i).get(30, TimeUnit.SECONDS);
      assertEquals(200, r.status(), r.body());
      assertEquals("echo: message " + i, r.json().getJsonArray("messages").getJsonObject(1).getString("content"));
    }
    // each step saw every exchange before it: the model got 1, 2, ... 10 user messages
    List<JsonObject> requests = llm.requests();
    assertEquals(10, requests.size());
    for (int i = 0; i < 10; i++) {
      long users = requests.get(i).getJsonArray("messages").stream()
          .filter(m -> "user".equals(((JsonObject) m).getString("role"))).count();
      assertEquals(i + 1, users, "request " + i);
    }
    // stored in order: each user message is followed by its own answer
    List<String> texts = history(c).stream().map(m -> (JsonObject) m)
        .filter(m -> m.getString("message_type").equals("user_message")
            || m.getString("message_type").equals("assistant_message"))
        .map(m -> m.getValue("content").toString()).toList();
    assertEquals(20, texts.size(), texts.toString());
    for (int i = 0; i < 20; i += 2) {
      assertEquals("echo: " + texts.get(i), texts.get(i + 1));
    }
  }

  @Test
  @DisplayName("a conversation's send streams by default; its run is followed again from any point")
  void streamingAndReplay() {
    String c = conversation();
    llm.enqueue(Step.toolCall("Noting.", "core_memory_append", new JsonObject().put("name", "human")
        .put("content", "Has a cat.").put("request_heartbeat", true)), Step.sendMessage("Done.", "Noted the cat."));
    SseStream.Result r = SseStream.post(api.base(), "/v1/conversations/" + c + "/messages", key,
        userMessage("I have a cat"), Map.of());
    assertEquals(200, r.status());
    assertEquals(List.of("ping", "reasoning_message", "tool_call_message", "tool_return_message",
        "reasoning_message", "assistant_message", "stop_reason", "usage_statistics", "[DONE]"), r.types());
    String runId = r.events().get(0).json().getString("run_id");

    SseStream.Result replay = SseStream.post(api.base(), "/v1/conversations/" + c + "/stream", key,
        new JsonObject().put("starting_after", 3).put("include_pings", false), Map.of());
    assertEquals(List.of("reasoning_message", "assistant_message", "stop_reason", "usage_statistics", "[DONE]"),
        replay.types(), "the thread's last run, after seq 3");
    SseStream.Result byId = SseStream.post(api.base(), "/v1/conversations/" + c + "/stream", key,
        new JsonObject().put("run_id", runId), Map.of("Last-Event-ID", "4"));
    assertEquals(List.of("ping", "assistant_message", "stop_reason", "usage_statistics", "[DONE]"), byId.types());

    llm.enqueue(Step.sendMessage("Tokens.", "This answer comes in pieces, one fragment at a time.").chunksEvery(1));
    SseStream.Result tokens = SseStream.post(api.base(), "/v1/conversations/" + c + "/messages", key,
        userMessage("again").put("stream_tokens", true).put("include_pings", false), Map.of());
    assertEquals("[DONE]", tokens.types().get(tokens.types().size() - 1));
    assertTrue(tokens.types().stream().filter("assistant_message"::equals).count() > 1, "token fragments");
  }

  @Test
  @DisplayName("cancel stops a conversation's run in progress; a fork copies a thread's context into a new"
      + " conversation; compact summarises it; recompile rebuilds its system prompt")
  void cancelForkCompactRecompile() throws Exception {
    String c = conversation();
    llm.fallback(LettaConversationsTest::echo);
    send(c, "first");
    send(c, "second");
    JsonArray before = api.get("/v1/conversations/" + c, key).json().getJsonArray("in_context_message_ids");
    assertEquals(7, before.size(), "system, then user, assistant and tool per exchange");

    JsonObject fork = api.post("/v1/conversations/" + c + "/fork", key, null).json();
    String forked = fork.getString("id");
    assertNotEquals(c, forked);
    assertEquals(agent, fork.getString("agent_id"));
    assertEquals(7, fork.getJsonArray("in_context_message_ids").size());
    llm.clearRequests();
    send(forked, "third, in the fork");
    assertTrue(prompt(llm.requests().get(0)).contains("second"), "the fork's prompt holds the copied context");
    assertFalse(history(c).encode().contains("third, in the fork"), "the source is untouched");
    String upTo = before.getString(1); // the first user message
    JsonObject partial = api.post("/v1/conversations/" + c + "/fork?message_id=" + upTo, key, null).json();
    assertEquals(2, partial.getJsonArray("in_context_message_ids").size());
    JsonObject ofOwn = api.post("/v1/conversations/default/fork?agent_id=" + agent, key, null).json();
    assertEquals(agent, ofOwn.getString("agent_id"));

    llm.enqueue(Step.text("They said first and second."));
    Api.Response compacted = api.post("/v1/conversations/" + c + "/compact", key, new JsonObject());
    assertEquals(200, compacted.status(), compacted.body());
    assertEquals("They said first and second.", compacted.json().getString("summary"));
    assertEquals(7, compacted.json().getInteger("num_messages_before"));
    assertTrue(compacted.json().getInteger("num_messages_after") < 7, compacted.body());
    assertEquals(compacted.json().getInteger("num_messages_after"), api.get("/v1/conversations/" + c, key).json()
        .getJsonArray("in_context_message_ids").size());
    assertStatus(400, api.post("/v1/conversations/" + conversation() + "/compact", key, null), "Nothing to"
        + " compact");

    Api.Response dry = api.post("/v1/conversations/" + c + "/recompile?dry_run=true", key, null);
    assertEquals(200, dry.status(), dry.body());
    assertTrue(new JsonArray("[" + dry.body() + "]").getString(0).contains("The human is unknown."));
    String system = api.get("/v1/conversations/" + c, key).json().getJsonArray("in_context_message_ids")
        .getString(0);
    Api.Response written = api.post("/v1/conversations/" + c + "/recompile", key, new JsonObject());
    assertEquals(200, written.status(), written.body());
    assertNotEquals(system, api.get("/v1/conversations/" + c, key).json().getJsonArray("in_context_message_ids")
        .getString(0), "a new system message");

    // a step that asks to go on, answered slowly: the cancel lands while it runs, and the run stops after it
    llm.fallback(request -> Step.toolCall("Slow.", "conversation_search", new JsonObject().put("query", "x")
        .put("request_heartbeat", true)).after(1000));
    llm.clearRequests();
    CompletableFuture<Api.Response> running = CompletableFuture.supplyAsync(() -> api.post("/v1/conversations/"
        + c + "/messages", key, userMessage("take your time").put("streaming", false)));
    for (int i = 0; i < 200 && llm.requestCount() == 0; i++) {
      Thread.sleep(10);
    }
    JsonObject cancelled = api.post("/v1/conversations/" + c + "/cancel", key, null).json();
    assertEquals(1, cancelled.size(), cancelled.encode());
    assertEquals("cancelled", cancelled.getString(cancelled.fieldNames().iterator().next()));
    Api.Response stopped = running.get(10, TimeUnit.SECONDS);
    assertEquals(200, stopped.status(), stopped.body());
    assertEquals("cancelled", stopped.json().getJsonObject("stop_reason").getString("stop_reason"));
    String runId = cancelled.fieldNames().iterator().next();
    assertEquals("cancelled", api.get("/v1/runs/" + runId, key).json().getString("status"));
    assertEquals(1, llm.requestCount(), "no step after the cancel");
  }

  @Test
  @DisplayName("a conversation's send stored before it ran runs after a restart, in its conversation")
  void queuedSendSurvivesARestart() throws Exception {
    java.nio.file.Path home = dev.engram.testkit.TempHomes.create("engram-conversation-restart-");
    String owner;
    String agentId;
    String c;
    String queued;
    try (TestServer first = TestServer.start(home, Map.of())) {
      Api a = first.api;
      owner = a.newUser().getString("api_key");
      agentId = "agent-" + a.newAgent(owner, "restarted");
      c = a.post("/v1/conversations/?agent_id=" + agentId, owner, new JsonObject()).json().getString("id");
      // one keyed send holds the conversation (its model answers late), the next waits stored in its queue
      llm.enqueue(Step.sendMessage("Slow.", "never seen").after(1500));
      CompletableFuture.runAsync(() -> SseStream.post(a.base(), "/v1/conversations/" + c + "/messages", owner,
          userMessage("first send"), Map.of("Idempotency-Key", "one")));
      awaitRun(a, owner, c, "running");
      CompletableFuture.runAsync(() -> SseStream.post(a.base(), "/v1/conversations/" + c + "/messages", owner,
          userMessage("second send"), Map.of("Idempotency-Key", "two")));
      queued = awaitRun(a, owner, c, "created");
    }
    llm.reset().enqueue(Step.sendMessage("After the restart.", "Queued answer."));
    try (TestServer second = TestServer.start(home, Map.of())) {
      Api a = second.api;
      JsonObject run = null;
      for (int i = 0; i < 1000 && (run == null || !run.getString("status").equals("completed")); i++) {
        Thread.sleep(20);
        run = a.get("/v1/runs/" + queued, owner).json();
      }
      assertEquals("completed", run.getString("status"), run.encode());
      assertEquals(c, run.getString("conversation_id"));
      String thread = a.get("/v1/conversations/" + c + "/messages?limit=1000", owner).body();
      assertTrue(thread.contains("second send") && thread.contains("Queued answer."), thread);
      assertFalse(a.get("/v1/agents/" + agentId + "/messages?limit=1000", owner).body().contains("second send"));
    }
  }

  /** The id of the conversation's run in {@code status}, once there is one. */
  private static String awaitRun(Api a, String key, String conversation, String status) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      JsonArray runs = new JsonArray(a.get("/v1/runs/?conversation_id=" + conversation + "&statuses=" + status,
          key).body());
      if (!runs.isEmpty()) {
        return runs.getJsonObject(0).getString("id");
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no " + status + " run in " + conversation);
  }

  @Test
  @DisplayName("another user's conversation is unknown (404) on every route")
  void isolation() {
    String c = conversation();
    String other = api.newUser().getString("api_key");
    String path = "/v1/conversations/" + c;
    assertStatus(404, api.get(path, other), "not found");
    assertStatus(404, api.patch(path, other, new JsonObject().put("summary", "x")), "not found");
    assertStatus(404, api.delete(path, other), "not found");
    assertStatus(404, api.post(path + "/cancel", other, null), "not found");
    assertStatus(404, api.post(path + "/fork", other, null), "not found");
    assertStatus(404, api.post(path + "/recompile", other, null), "not found");
    assertStatus(404, api.post(path + "/messages", other, userMessage("x")), "not found");
    assertStatus(404, api.get(path + "/messages", other), "not found");
    assertStatus(404, api.post(path + "/compact", other, null), "not found");
    assertStatus(404, api.post(path + "/stream", other, null), "not found");
    assertStatus(404, api.post("/v1/conversations/?agent_id=" + agent, other, new JsonObject()), "not found");
    assertStatus(404, api.post("/v1/conversations/default/messages", other, userMessage("x")
        .put("agent_id", agent)), "not found");
    assertEquals(0, new JsonArray(api.get("/v1/conversations/?agent_id=" + agent, other).body()).size());
    assertStatus(404, api.get("/v1/conversations/?after=" + c, other), "cursor");
    assertEquals(0, llm.requestCount(), "the model was never called");
    assertNull(api.get(path, key).json().getString("summary"));
    assertEquals(1, api.get(path, key).json().getJsonArray("in_context_message_ids").size());
  }

  @Test
  @DisplayName("bad input on the conversation routes is 4xx with a detail, and stores nothing")
  void badInput() {
    String c = conversation();
    assertStatus(422, api.post("/v1/conversations/", key, new JsonObject()), "agent_id");
    assertStatus(404, api.post("/v1/conversations/?agent_id=agent-" + java.util.UUID.randomUUID(), key,
        new JsonObject()), "not found");
    assertStatus(400, api.post("/v1/conversations/?agent_id=" + agent, key, "{not json"), "Malformed");
    assertStatus(422, api.post("/v1/conversations/?agent_id=" + agent, key, new JsonObject()
        .put("context_window_limit", 0)), "context_window_limit");
    assertStatus(400, api.post("/v1/conversations/?agent_id=" + agent, key, new JsonObject()
        .put("model", "gpt-4")), "provider/model-name");
    assertStatus(422, api.post("/v1/conversations/?agent_id=" + agent, key, new JsonObject()
        .put("summary", 42)), "summary");
    assertStatus(422, api.get("/v1/conversations/?order_by=name", key), "order_by");
    assertStatus(422, api.get("/v1/conversations/?archive_status=maybe", key), "archive_status");
    assertStatus(404, api.get("/v1/conversations/?after=conv-" + java.util.UUID.randomUUID(), key), "cursor");
    assertStatus(422, api.patch("/v1/conversations/" + c, key, new JsonObject().put("archived", "yes")),
        "archived");
    assertStatus(422, api.patch("/v1/conversations/" + c, key, new JsonObject().put("last_message_at", "soon")),
        "last_message_at");
    assertStatus(404, api.get("/v1/conversations/conv-" + java.util.UUID.randomUUID(), key), "not found");
    assertStatus(404, api.get("/v1/conversations/not-an-id", key), "not found");
    assertStatus(422, api.post("/v1/conversations/" + c + "/messages", key, new JsonObject()
        .put("messages", new JsonArray())), "messages");
    assertStatus(422, api.post("/v1/conversations/" + c + "/messages", key, userMessage("x")
        .put("streaming", false).put("stream_tokens", true)), "Streaming options");
    assertStatus(422, api.post("/v1/conversations/default/messages", key, userMessage("x")), "agent_id");
    assertStatus(422, api.post("/v1/conversations/" + c + "/stream", key, new JsonObject()
        .put("starting_after", -1)), "starting_after");
    assertStatus(404, api.post("/v1/conversations/" + c + "/stream", key, new JsonObject()), "No run");
    assertStatus(422, api.post("/v1/conversations/" + c + "/stream", key, new JsonObject()
        .put("run_id", "nope")), "run_id");
    assertStatus(422, api.post("/v1/conversations/" + c + "/fork?message_id=nope", key, null), "message_id");
    assertStatus(404, api.post("/v1/conversations/" + c + "/fork?message_id=message-"
        + java.util.UUID.randomUUID(), key, null), "not in the context");
    assertStatus(422, api.post("/v1/conversations/" + c + "/fork?hidden=perhaps", key, null), "hidden");
    assertStatus(422, api.post("/v1/conversations/" + c + "/recompile?dry_run=3", key, null), "dry_run");
    assertStatus(422, api.post("/v1/conversations/" + c + "/compact", key, new JsonObject()
        .put("compaction_settings", new JsonObject().put("mode", "everything"))), "mode");
    assertStatus(422, api.get("/v1/conversations/" + c + "/messages?order=up", key), "order");
    assertEquals(0, llm.requestCount(), "the model was never called");
    assertEquals(1, new JsonArray(api.get("/v1/conversations/?agent_id=" + agent, key).body()).size());
    assertEquals(1, history(c).size(), "only the system message");
  }

  @Test
  @DisplayName("the official Letta SDK creates, lists, updates, streams and pages conversations, forks and deletes")
  void officialSdk() {
    llm.fallback(request -> Step.sendMessage("Thinking it over.", "Hello from a conversation.").chunksEvery(1));
    NodeScript.Run run = NodeScript.run("letta-conversations.cjs", Map.of("LETTA_BASE_URL",
        server.server().baseUrl(), "LETTA_API_KEY", key, "AGENT_ID", agent), 120);
    assertEquals(0, run.exitCode(), run.output());
  }
}
