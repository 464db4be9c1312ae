package dev.engram.http.letta;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.SseStream.Event;
import dev.engram.testkit.SseStream;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Sending messages and reading history on Letta's /v1 (letta-v1.md §6). */
class LettaMessagesTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;
  private String agent;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
    agent = "agent-" + api.newAgent(key, "letta-messages");
  }

  /** A step that appends to core memory and asks to go on, then one that answers the user. */
  private void scriptToolThenAnswer() {
    llm.enqueue(Step.toolCall("Noting the tea.", "core_memory_append", new JsonObject().put("name", "human")
            .put("content", "Likes tea.").put("request_heartbeat", true)),
        Step.sendMessage("Now I answer.", "Noted: you like tea!"));
  }

  private static JsonObject userMessage(String text) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", text)));
  }

  @Test
  @DisplayName("a blocking send answers a LettaResponse: the agent's messages only, stop_reason and usage")
  void blockingSend() {
    scriptToolThenAnswer();
    Api.Response r = api.post("/v1/agents/" + agent + "/messages", key, userMessage("I like tea"));
    assertEquals(200, r.status(), r.body());
    JsonObject body = r.json();
    JsonArray messages = body.getJsonArray("messages");
    List<String> types = messages.stream().map(m -> ((JsonObject) m).getString("message_type")).toList();
    assertEquals(List.of("reasoning_message", "tool_call_message", "tool_return_message", "reasoning_message",
        "assistant_message"), types);
    JsonObject call = messages.getJsonObject(1);
    assertEquals("core_memory_append", call.getJsonObject("tool_call").getString("name"));
    assertEquals(call.getJsonObject("tool_call"), call.getJsonArray("tool_calls").getJsonObject(0));
    JsonObject ret = messages.getJsonObject(2);
    assertEquals("success", ret.getString("status"));
    assertEquals(call.getJsonObject("tool_call").getString("tool_call_id"), ret.getString("tool_call_id"));
    assertEquals("Noted: you like tea!", messages.getJsonObject(4).getString("content"));
    // the reasoning and the answer of one step are parts of one stored message: one id, two otids
    assertEquals(messages.getJsonObject(3).getString("id"), messages.getJsonObject(4).getString("id"));
    assertNotEquals(messages.getJsonObject(3).getString("otid"), messages.getJsonObject(4).getString("otid"));
    for (Object o : messages) {
      JsonObject m = (JsonObject) o;
      assertTrue(m.getString("id").startsWith("message-"), m.encode());
      assertTrue(m.getString("date").endsWith("+00:00"), m.encode());
      assertTrue(m.getString("run_id").startsWith("run-"), m.encode());
    }
    assertEquals(new JsonObject().put("message_type", "stop_reason").put("stop_reason", "end_turn"),
        body.getJsonObject("stop_reason"));
    JsonObject usage = body.getJsonObject("usage");
    assertEquals("usage_statistics", usage.getString("message_type"));
    assertEquals(2, usage.getInteger("step_count"));
    assertTrue(usage.getInteger("total_tokens") > 0);
    String runId = usage.getJsonArray("run_ids").getString(0);
    assertEquals(messages.getJsonObject(0).getString("run_id"), runId);

    JsonObject run = api.get("/v1/runs/" + runId, key).json();
    assertEquals("completed", run.getString("status"));
    assertEquals("end_turn", run.getString("stop_reason"));
    assertEquals(agent, run.getString("agent_id"));
    assertTrue(run.getLong("total_duration_ns") > 0);
  }

  @Test
  @DisplayName("a streamed send is Letta's SSE: a ping, the messages with ids, stop_reason, usage, [DONE], then the end")
  void streamedSend() {
    scriptToolThenAnswer();
    JsonObject body = userMessage("I like tea").put("streaming", true);
    SseStream.Result r = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key, body, Map.of());
    assertEquals(200, r.status());
    assertTrue(r.endedByServer(), "the server ends the response after [DONE]");
    assertEquals(List.of("ping", "reasoning_message", "tool_call_message", "tool_return_message",
        "reasoning_message", "assistant_message", "stop_reason", "usage_statistics", "[DONE]"), r.types());
    List<Event> events = r.events();
    assertTrue(events.stream().allMatch(e -> e.event() == null), "no event names on normal events");
    assertNull(events.get(0).id(), "the ping has no id");
    // every run event carries its seq as the SSE id and as seq_id; the end follows the last event's seq
    List<Integer> ids = events.subList(1, 8).stream().map(e -> Integer.parseInt(e.id())).toList();
    assertEquals(List.of(1, 2, 3, 4, 6, 8, 9), ids, "send_message's own call (5) and return (7) are not shown");
    for (Event e : events.subList(1, 6)) {
      assertEquals(Integer.parseInt(e.id()), e.json().getInteger("seq_id"));
    }
    assertEquals("end_turn", events.get(6).json().getString("stop_reason"));
    assertEquals(2, events.get(7).json().getInteger("step_count"));
    String runId = events.get(0).json().getString("run_id");
    assertEquals(runId, events.get(1).json().getString("run_id"));
  }

  @Test
  @DisplayName("a failure after the stream started ends it: stop_reason, an error event, [DONE]; the run failed")
  void errorAfterTheFirstByte() {
    JsonObject down = new JsonObject().put("error", new JsonObject().put("message", "down"));
    llm.enqueue(Step.toolCall("First.", "core_memory_append", new JsonObject().put("name", "human")
        .put("content", "x").put("request_heartbeat", true)), Step.error(500, down), Step.error(500, down));
    SseStream.Result r = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key,
        userMessage("go").put("streaming", true), Map.of());
    assertEquals(200, r.status());
    assertTrue(r.endedByServer());
    List<Event> events = r.withData();
    assertEquals(List.of("ping", "reasoning_message", "tool_call_message", "tool_return_message", "stop_reason",
        "error_message", "[DONE]"), r.types());
    assertEquals("llm_api_error", events.get(4).json().getString("stop_reason"));
    Event error = events.get(5);
    assertEquals("error", error.event(), "the SDK throws on event: error");
    assertTrue(error.json().getString("message").contains("LLM endpoint"), error.data());
    assertTrue(error.json().getString("run_id").startsWith("run-"));
    JsonObject run = api.get("/v1/runs/" + error.json().getString("run_id"), key).json();
    assertEquals("failed", run.getString("status"));
    assertEquals("llm_api_error", run.getString("stop_reason"));

    llm.enqueue(Step.error(500, down), Step.error(500, down));
    Api.Response blocking = api.post("/v1/agents/" + agent + "/messages", key, userMessage("again"));
    assertEquals(502, blocking.status(), blocking.body());
    assertEquals("false", blocking.headers().firstValue("x-should-retry").orElse(null));
  }

  @Test
  @DisplayName("a send on /api is a run too, listed and replayed on /v1")
  void apiSendsAreRuns() {
    llm.enqueue(Step.sendMessage("Via the old API.", "hello from /api"));
    Api.Response sent = api.post("/api/agents/" + agent.substring(6) + "/messages", key,
        new JsonObject().put("message", "hi"));
    assertEquals(200, sent.status(), sent.body());
    JsonArray runs = new JsonArray(api.get("/v1/runs/?agent_id=" + agent, key).body());
    assertEquals(1, runs.size());
    assertEquals("completed", runs.getJsonObject(0).getString("status"));
    SseStream.Result replay = SseStream.post(api.base(), "/v1/runs/" + runs.getJsonObject(0).getString("id")
        + "/stream", key, null, Map.of());
    assertEquals(List.of("ping", "reasoning_message", "assistant_message", "stop_reason", "usage_statistics",
        "[DONE]"), replay.types());
  }

  @Test
  @DisplayName("streaming is chosen by the body, never by Accept; /messages/stream always streams")
  void streamingFollowsTheBody() {
    llm.enqueue(Step.sendMessage("Hm.", "one"), Step.sendMessage("Hm.", "two"), Step.sendMessage("Hm.", "three"));
    SseStream.Result json = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key,
        userMessage("hi"), Map.of("accept", "text/event-stream"));
    assertTrue(json.contentType().startsWith("application/json"), json.contentType());
    assertEquals("one", new JsonObject(json.body()).getJsonArray("messages").getJsonObject(1).getString("content"));

    SseStream.Result sse = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages/stream", key,
        userMessage("hi"), Map.of());
    assertEquals(List.of("ping", "reasoning_message", "assistant_message", "stop_reason", "usage_statistics",
        "[DONE]"), sse.types());

    SseStream.Result quiet = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key,
        userMessage("hi").put("streaming", true).put("include_pings", false), Map.of());
    assertEquals(List.of("reasoning_message", "assistant_message", "stop_reason", "usage_statistics", "[DONE]"),
        quiet.types());
  }

  @Test
  @DisplayName("stream_tokens relays the model's fragments with the message's id and otid, before its commit, once")
  void tokenStreaming() {
    String monologue = "Thinking about tea, slowly.";
    String said = "Tea is \"lovely\" — truly.\nCheers!";
    llm.enqueue(Step.toolCall("Saving it.", "archival_memory_insert", new JsonObject()
            .put("content", "The user likes tea.").put("request_heartbeat", true)).chunksEvery(5),
        Step.sendMessage(monologue, said).chunksEvery(5));
    JsonObject body = userMessage("I like tea").put("streaming", true).put("stream_tokens", true);
    SseStream.Result r = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key, body, Map.of());
    assertTrue(r.endedByServer());
    assertTrue(llm.requests().get(0).getBoolean("stream", false), "the model is asked to stream");

    // fragments (no SSE id) concatenated per otid, as clients do
    Map<String, StringBuilder> byOtid = new java.util.LinkedHashMap<>();
    Map<String, Integer> counts = new java.util.HashMap<>();
    StringBuilder args = new StringBuilder();
    for (Event e : r.withData()) {
      if (e.id() != null || !e.data().startsWith("{")) {
        continue;
      }
      JsonObject m = e.json();
      String type = m.getString("message_type");
      String piece = switch (type) {
        case "reasoning_message" -> m.getString("reasoning");
        case "assistant_message" -> m.getString("content");
        case "tool_call_message" -> m.getJsonObject("tool_call").getString("arguments", "");
        default -> null;
      };
      if (piece == null) {
        continue;
      }
      if (type.equals("tool_call_message")) {
        args.append(piece);
      } else {
        byOtid.computeIfAbsent(type + "/" + m.getString("otid"), k -> new StringBuilder()).append(piece);
        counts.merge(type + "/" + m.getString("otid"), 1, Integer::sum);
      }
    }
    List<String> texts = byOtid.values().stream().map(StringBuilder::toString).toList();
    assertEquals(List.of("Saving it.", monologue, said), texts, "fragments per otid, in order");
    assertTrue(counts.values().stream().skip(1).allMatch(n -> n > 1), () -> "came in fragments: " + counts);
    assertEquals(new JsonObject().put("content", "The user likes tea.").put("request_heartbeat", true),
        new JsonObject(args.toString()), "tool call arguments concatenate to the call's");
    // the previewed events are not repeated whole after their commit
    assertFalse(r.withData().stream().anyMatch(e -> e.id() != null && e.data().contains(monologue)));
    // the whole tool return (no fragments) comes with its id; the end as usual
    List<String> types = r.types();
    assertTrue(types.contains("tool_return_message"));
    assertEquals(List.of("stop_reason", "usage_statistics", "[DONE]"), types.subList(types.size() - 3,
        types.size()));
    // id-only lines move the resume point past the steps' previewed events
    assertTrue(r.events().stream().anyMatch(e -> e.data() == null && e.id() != null), "commit markers");
  }

  @Test
  @DisplayName("include_return_message_types filters; use_assistant_message=false shows send_message as a tool call")
  void viewOptions() {
    llm.enqueue(Step.sendMessage("Hm.", "filtered"), Step.sendMessage("Hm.", "raw"));
    JsonObject only = api.post("/v1/agents/" + agent + "/messages", key, userMessage("a")
        .put("include_return_message_types", new JsonArray().add("assistant_message"))).json();
    assertEquals(1, only.getJsonArray("messages").size());
    assertEquals("filtered", only.getJsonArray("messages").getJsonObject(0).getString("content"));

    JsonObject raw = api.post("/v1/agents/" + agent + "/messages", key, userMessage("b")
        .put("use_assistant_message", false)).json();
    List<String> types = raw.getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m).getString("message_type")).toList();
    assertEquals(List.of("reasoning_message", "tool_call_message", "tool_return_message"), types);
    assertEquals("send_message", raw.getJsonArray("messages").getJsonObject(1).getJsonObject("tool_call")
        .getString("name"));
  }

  @Test
  @DisplayName("input, text parts and the 0.4 form (text, stream_steps) are sends too; a system message is an alert")
  void otherRequestForms() {
    llm.enqueue(Step.sendMessage("a", "1"), Step.sendMessage("b", "2"), Step.sendMessage("c", "3"),
        Step.sendMessage("d", "4"));
    assertEquals(200, api.post("/v1/agents/" + agent + "/messages", key, new JsonObject().put("input", "hello"))
        .status());
    JsonObject parts = new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", "part one")))));
    assertEquals(200, api.post("/v1/agents/" + agent + "/messages", key, parts).status());
    JsonObject old = new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "system")
        .put("text", "the 0.4 form").putNull("name"))).put("run_async", false).put("stream_steps", false)
        .put("stream_tokens", false).put("return_message_object", false);
    Api.Response r = api.post("/v1/agents/" + agent + "/messages", key, old);
    assertEquals(200, r.status(), r.body());
    assertTrue(r.json().containsKey("usage"));
    String sent = llm.requests().get(2).getJsonArray("messages").stream().map(m -> ((JsonObject) m)
        .getString("content")).filter(c -> c != null && c.contains("the 0.4 form")).findFirst().orElseThrow();
    assertEquals("system_alert", new JsonObject(sent).getString("type"));
    SseStream.Result steps = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key,
        userMessage("x").put("stream_steps", true), Map.of());
    assertEquals("[DONE]", steps.types().get(steps.types().size() - 1));
  }

  @Test
  @DisplayName("history pages by stored message in both orders until an empty page; parts share their id")
  void historyPaging() {
    for (int i = 0; i < 4; i++) {
      llm.enqueue(Step.sendMessage("Thought " + i, "Answer " + i));
      assertEquals(200, api.post("/v1/agents/" + agent + "/messages", key, userMessage("Question " + i)).status());
    }
    JsonArray all = new JsonArray(api.get("/v1/agents/" + agent + "/messages?limit=1000&order=asc", key).body());
    assertEquals("system_message", all.getJsonObject(0).getString("message_type"));
    List<String> asc = walk("order=asc&limit=3");
    List<String> desc = walk("order=desc&limit=3");
    assertEquals(ids(all), asc, "pages in ascending order add up to the whole history");
    List<String> reversed = new ArrayList<>(asc);
    java.util.Collections.reverse(reversed);
    assertEquals(groups(reversed), groups(desc), "descending walks the same messages newest first");
    JsonArray defaults = new JsonArray(api.get("/v1/agents/" + agent + "/messages", key).body());
    assertEquals("Answer 3", defaults.getJsonObject(1).getString("content"), "desc is the default: newest first");
    assertEquals("assistant_message", defaults.getJsonObject(1).getString("message_type"));

    // before pages backwards: the messages just before the cursor, in the order asked
    String cursor = all.getJsonObject(all.size() - 1).getString("id");
    JsonArray before = new JsonArray(api.get("/v1/agents/" + agent + "/messages?order=asc&limit=2&before="
        + cursor, key).body());
    assertTrue(before.size() >= 2);
    assertNotEquals(cursor, before.getJsonObject(before.size() - 1).getString("id"));
    // the MemGPT 0.4 client's stored-message objects
    JsonArray objects = new JsonArray(api.get("/v1/agents/" + agent + "/messages?msg_object=true&limit=2", key)
        .body());
    assertEquals(2, objects.size());
    assertTrue(objects.getJsonObject(0).containsKey("role"));
    assertTrue(objects.getJsonObject(0).getString("id").startsWith("message-"));
    // a filter that leaves nothing still ends the pager (the history is read to its end)
    assertEquals(0, new JsonArray(api.get("/v1/agents/" + agent
        + "/messages?include_return_message_types=event_message", key).body()).size());
  }

  /** Follows the SDK's pager: next page after the last id, until an empty page. */
  private List<String> walk(String query) {
    List<String> out = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < 100; pages++) {
      JsonArray page = new JsonArray(api.get("/v1/agents/" + agent + "/messages?" + query
          + (after == null ? "" : "&after=" + after), key).body());
      if (page.isEmpty()) {
        return out;
      }
      page.forEach(m -> out.add(((JsonObject) m).getString("id") + "/" + ((JsonObject) m).getString("otid")));
      after = page.getJsonObject(page.size() - 1).getString("id");
    }
    throw new AssertionError("the pager did not end: " + out);
  }

  private static List<String> ids(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getString("id") + "/" + ((JsonObject) m).getString("otid"))
        .toList();
  }

  /** Message ids in order, one per stored message (parts of one message kept together). */
  private static List<String> groups(List<String> ids) {
    List<String> out = new ArrayList<>();
    for (String id : ids) {
      String stored = id.substring(0, id.indexOf('/'));
      if (out.isEmpty() || !out.get(out.size() - 1).equals(stored)) {
        out.add(stored);
      }
    }
    return out;
  }

  @Test
  @DisplayName("bad sends answer 400/422 with a detail and store nothing; unknown agents 404")
  void badInput() {
    int before = api.messages(agent.substring(6), key, 100).size();
    String path = "/v1/agents/" + agent + "/messages";
    JsonObject both = userMessage("x").put("input", "y");
    assertStatus(422, api.post(path, key, both), "exactly one");
    assertStatus(422, api.post(path, key, new JsonObject()), "exactly one");
    assertStatus(422, api.post(path, key, new JsonObject().put("messages", new JsonArray())), "messages");
    assertStatus(422, api.post(path, key, new JsonObject().put("messages", new JsonArray().add(new JsonObject()
        .put("role", "assistant").put("content", "x")))), "role");
    assertStatus(422, api.post(path, key, new JsonObject().put("input", "")), "empty");
    assertStatus(422, api.post(path, key, new JsonObject().put("input", 5)), "input");
    assertStatus(422, api.post(path, key, userMessage("x").put("stream_tokens", true)), "Streaming options");
    assertStatus(422, api.post(path, key, userMessage("x").put("include_pings", false)), "Streaming options");
    assertStatus(422, api.post(path, key, userMessage("x").put("background", true)), "Streaming options");
    assertStatus(422, api.post(path, key, userMessage("x").put("max_steps", 0)), "max_steps");
    assertStatus(422, api.post(path, key, userMessage("x").put("streaming", "yes")), "streaming");
    assertStatus(422, api.post(path, key, userMessage("x").put("include_return_message_types",
        new JsonArray().add("nonsense"))), "include_return_message_types");
    assertStatus(422, api.post(path, key, new JsonObject().put("messages", new JsonArray().add(new JsonObject()
        .put("role", "user").put("content", new JsonArray().add(new JsonObject().put("type", "image")))))),
        "image");
    assertStatus(400, api.post(path, key, "{not json"), "Malformed");
    assertStatus(422, api.get(path + "?order=sideways", key), "order");
    assertStatus(422, api.get(path + "?limit=0", key), "limit");
    assertStatus(422, api.get(path + "?after=message-nope", key), "cursor");
    assertStatus(422, api.get(path + "?use_assistant_message=maybe", key), "use_assistant_message");
    assertStatus(422, api.post(path + "/cancel", key, new JsonObject().put("run_ids", "run-1")), "run_ids");
    assertEquals(before, api.messages(agent.substring(6), key, 100).size(), "nothing was stored");
    String unknown = "/v1/agents/agent-00000000-0000-4000-8000-000000000000/messages";
    assertStatus(404, api.post(unknown, key, userMessage("x")), "not found");
    assertStatus(404, api.post(unknown + "/async", key, userMessage("x")), "not found");
    assertStatus(404, api.get(unknown, key), "not found");
    SseStream.Result streamed = SseStream.post(api.base(), unknown, key, userMessage("x").put("streaming", true),
        Map.of());
    assertEquals(404, streamed.status(), "a failure before the stream starts is a plain error");
    assertTrue(new JsonObject(streamed.body()).getString("detail").contains("not found"));
  }

  @Test
  @DisplayName("another user's agent is 404 on every message route, and their runs are not listed")
  void isolation() {
    llm.enqueue(Step.sendMessage("Hm.", "mine"));
    String runId = api.post("/v1/agents/" + agent + "/messages", key, userMessage("x")).json()
        .getJsonObject("usage").getJsonArray("run_ids").getString(0);
    String other = api.newUser().getString("api_key");
    String path = "/v1/agents/" + agent + "/messages";
    assertStatus(404, api.post(path, other, userMessage("x")), "not found");
    assertStatus(404, api.post(path + "/stream", other, userMessage("x")), "not found");
    assertStatus(404, api.post(path + "/async", other, userMessage("x")), "not found");
    assertStatus(404, api.post(path + "/cancel", other, new JsonObject()), "not found");
    assertStatus(404, api.get(path, other), "not found");
    assertStatus(404, api.get("/v1/runs/" + runId, other), "not found");
    assertStatus(404, api.get("/v1/runs/" + runId + "/messages", other), "not found");
    assertStatus(404, api.post("/v1/runs/" + runId + "/stream", other, new JsonObject()), "not found");
    assertEquals(0, new JsonArray(api.get("/v1/runs/", other).body()).size());
    assertEquals(1, new JsonArray(api.get("/v1/runs/", key).body()).size());
  }

  @Test
  @DisplayName("the official Letta SDK sends, streams (tokens too), pages history, follows an async run and cancels")
  void officialSdk() {
    llm.fallback(request -> Step.sendMessage("Thinking it over.", "Hello from Engram, streamed in pieces.")
        .chunksEvery(1));
    NodeScript.Run run = NodeScript.run("letta-messages.cjs", Map.of("LETTA_BASE_URL", server.server().baseUrl(),
        "LETTA_API_KEY", key, "AGENT_ID", agent), 120);
    assertEquals(0, run.exitCode(), run.output());
  }

  static void assertStatus(int status, Api.Response r, String fragment) {
    assertEquals(status, r.status(), r.body());
    String detail = r.json().getString("detail");
    assertNotNull(detail, r.body());
    assertTrue(detail.contains(fragment), () -> "'" + detail + "' does not mention " + fragment);
  }
}
