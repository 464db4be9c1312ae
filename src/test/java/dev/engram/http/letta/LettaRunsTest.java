package dev.engram.http.letta;

import static dev.engram.http.letta.LettaMessagesTest.assertStatus;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.SseStream.Event;
import dev.engram.testkit.SseStream;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs on /v1: async sends, replay from any point, restarts, idempotent sends, cancel, lists (letta-v1.md §9). */
class LettaRunsTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;
  private String agent;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
    agent = "agent-" + api.newAgent(key, "letta-runs");
  }

  private static JsonObject userMessage(String text) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", text)));
  }

  /** A step that asks to go on, then (after {@code delayMs}) one that answers. */
  private static Step[] twoSteps(long delayMs) {
    return new Step[] {Step.toolCall("First, a note.", "core_memory_append", new JsonObject().put("name", "human")
        .put("content", "Likes runs.").put("request_heartbeat", true)),
        Step.sendMessage("Then the answer.", "All done.").after(delayMs)};
  }

  private static JsonObject awaitStatus(Api api, String key, String runId, String status) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonObject run = null;
    while (System.nanoTime() < end) {
      run = api.get("/v1/runs/" + runId, key).json();
      if (status.equals(run.getString("status"))) {
        return run;
      }
      sleep(20);
    }
    throw new AssertionError("run " + runId + " never became " + status + ": " + run);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The frames of a stream as "id|type" (id empty when none), without pings. */
  private static List<String> frames(SseStream.Result r) {
    List<String> out = new ArrayList<>();
    for (Event e : r.events()) {
      String type = e.data() == null ? "(id only)" : "error".equals(e.event()) ? "event:error" : e.type();
      if (!"ping".equals(type)) {
        out.add((e.id() == null ? "" : e.id()) + "|" + type);
      }
    }
    return out;
  }

  private SseStream.Result replay(String runId, JsonObject body, Map<String, String> headers) {
    return SseStream.post(api.base(), "/v1/runs/" + runId + "/stream", key, body, headers);
  }

  @Test
  @DisplayName("an async send answers a created Run at once; the run is polled to completion and its messages read")
  void asyncRun() {
    llm.enqueue(Step.sendMessage("Working on it.", "Async answer.").after(200));
    Api.Response r = api.post("/v1/agents/" + agent + "/messages/async", key, userMessage("in the background"));
    assertEquals(200, r.status(), r.body());
    JsonObject run = r.json();
    assertEquals("created", run.getString("status"));
    assertEquals(agent, run.getString("agent_id"));
    assertTrue(run.getBoolean("background"));
    String runId = run.getString("id");
    assertTrue(runId.startsWith("run-"));

    JsonObject done = awaitStatus(api, key, runId, "completed");
    assertEquals("end_turn", done.getString("stop_reason"));
    assertNotNull(done.getString("completed_at"));
    assertTrue(done.getLong("ttft_ns") > 0 && done.getLong("total_duration_ns") >= done.getLong("ttft_ns"));
    JsonArray messages = new JsonArray(api.get("/v1/runs/" + runId + "/messages", key).body());
    assertEquals(List.of("reasoning_message", "assistant_message"), messages.stream()
        .map(m -> ((JsonObject) m).getString("message_type")).toList());
    assertEquals("Async answer.", messages.getJsonObject(1).getString("content"));
    assertEquals(0, new JsonArray(api.get("/v1/runs/" + runId + "/messages?after="
        + messages.getJsonObject(0).getString("id"), key).body()).size(),
        "parts of one stored message share its id: after it, nothing");
  }

  @Test
  @DisplayName("a client that drops a stream resumes with Last-Event-ID and gets exactly the missing events")
  void replayAfterDroppedConnection() {
    llm.enqueue(twoSteps(600));
    JsonObject body = userMessage("go").put("streaming", true);
    // read the ping and the first two events, then hang up while the second step is still with the model
    SseStream.Result cut = SseStream.post(api.base(), "/v1/agents/" + agent + "/messages", key, body, Map.of(), 3);
    assertFalse(cut.endedByServer());
    String runId = cut.events().get(0).json().getString("run_id");
    String lastId = cut.events().get(2).id();
    assertEquals("2", lastId);

    // resume while the run still runs: stored events first, then the live ones, then the end
    SseStream.Result resumed = replay(runId, null, Map.of("Last-Event-ID", lastId));
    assertEquals(200, resumed.status());
    assertTrue(resumed.endedByServer());
    assertEquals(List.of("3|tool_return_message", "4|reasoning_message", "6|assistant_message", "8|stop_reason",
        "9|usage_statistics", "|[DONE]"), frames(resumed));

    // after the end, the whole run again, and any suffix of it by starting_after
    SseStream.Result whole = replay(runId, new JsonObject().put("starting_after", 0), Map.of());
    List<String> all = frames(whole);
    assertEquals("1|reasoning_message", all.get(0));
    assertEquals(frames(resumed), all.subList(2, all.size()));
    assertEquals(List.of("9|usage_statistics", "|[DONE]"), frames(replay(runId, new JsonObject()
        .put("starting_after", 8).put("include_pings", false), Map.of())));
    assertEquals(List.of("|[DONE]"), frames(replay(runId, new JsonObject().put("starting_after", 9), Map.of())));
    assertEquals(all.get(0), frames(replay(runId, null, Map.of())).get(0), "no cursor: from the start");
  }

  @Test
  @DisplayName("replay survives a restart; a run left running fails; a queued async run runs after it, once")
  void restart() throws Exception {
    Path home = TempHomes.create("engram-runs-restart-");
    String finishedRun;
    List<String> before;
    String interrupted;
    String queued;
    String agentId;
    String owner;
    try (TestServer first = TestServer.start(home, Map.of())) {
      Api a = first.api;
      owner = a.newUser().getString("api_key");
      agentId = "agent-" + a.newAgent(owner, "restarted");
      llm.enqueue(twoSteps(0));
      SseStream.Result r = SseStream.post(a.base(), "/v1/agents/" + agentId + "/messages", owner,
          userMessage("before the restart").put("streaming", true), Map.of("Idempotency-Key", "restart-key"));
      finishedRun = r.events().get(0).json().getString("run_id");
      before = frames(SseStream.post(a.base(), "/v1/runs/" + finishedRun + "/stream", owner,
          new JsonObject().put("starting_after", 3), Map.of()));
      // one run holds the agent (its model answers late), the next waits in the queue
      llm.enqueue(Step.sendMessage("Slow.", "never seen").after(1500));
      interrupted = a.post("/v1/agents/" + agentId + "/messages/async", owner, userMessage("slow")).json()
          .getString("id");
      awaitStatus(a, owner, interrupted, "running");
      queued = a.post("/v1/agents/" + agentId + "/messages/async", owner, userMessage("queued")).json()
          .getString("id");
      assertEquals("created", a.get("/v1/runs/" + queued, owner).json().getString("status"));
    }
    llm.reset().enqueue(Step.sendMessage("After the restart.", "Queued answer."));
    try (TestServer second = TestServer.start(home, Map.of())) {
      Api a = second.api;
      List<String> after = frames(SseStream.post(a.base(), "/v1/runs/" + finishedRun + "/stream", owner,
          new JsonObject().put("starting_after", 3), Map.of()));
      assertEquals(before, after, "the same events after the restart");

      JsonObject failed = a.get("/v1/runs/" + interrupted, owner).json();
      assertEquals("failed", failed.getString("status"));
      assertEquals("error", failed.getString("stop_reason"));
      List<String> failedFrames = frames(SseStream.post(a.base(), "/v1/runs/" + interrupted + "/stream", owner,
          null, Map.of()));
      assertEquals(List.of("1|stop_reason", "2|event:error", "|[DONE]"), failedFrames);

      awaitStatus(a, owner, queued, "completed");
      JsonArray messages = new JsonArray(a.get("/v1/runs/" + queued + "/messages", owner).body());
      assertEquals("Queued answer.", messages.getJsonObject(1).getString("content"));
      long queuedInputs = new JsonArray(a.get("/v1/agents/" + agentId + "/messages?limit=1000", owner).body())
          .stream().filter(m -> "queued".equals(((JsonObject) m).getString("content"))).count();
      assertEquals(1, queuedInputs, "the queued run ran once");

      // the idempotency key outlives the restart: the repeat replays the first run, nothing runs
      int calls = llm.requestCount();
      SseStream.Result repeat = SseStream.post(a.base(), "/v1/agents/" + agentId + "/messages", owner,
          userMessage("before the restart").put("streaming", true), Map.of("Idempotency-Key", "restart-key"));
      assertEquals(finishedRun, repeat.events().get(0).json().getString("run_id"));
      assertEquals("[DONE]", repeat.types().get(repeat.types().size() - 1));
      assertEquals(calls, llm.requestCount());
    }
  }

  @Test
  @DisplayName("a send repeated with the same Idempotency-Key or otid runs once and answers the first result")
  void idempotentSends() {
    llm.enqueue(Step.sendMessage("Once.", "Only once."));
    String path = "/v1/agents/" + agent + "/messages";
    Map<String, String> keyed = Map.of("Idempotency-Key", "k-1");
    SseStream.Result first = SseStream.post(api.base(), path, key, userMessage("count me once"), keyed);
    SseStream.Result second = SseStream.post(api.base(), path, key, userMessage("count me once"), keyed);
    assertEquals(200, first.status(), first.body());
    assertEquals(new JsonObject(first.body()), new JsonObject(second.body()), "the same LettaResponse");
    assertEquals(1, llm.requestCount());
    assertEquals(1, countUserMessages("count me once"));
    // streamed repeat: the stored events of the first run
    SseStream.Result streamed = SseStream.post(api.base(), path, key, userMessage("count me once")
        .put("streaming", true), keyed);
    assertEquals(List.of("ping", "reasoning_message", "assistant_message", "stop_reason", "usage_statistics",
        "[DONE]"), streamed.types());
    assertEquals(1, llm.requestCount());

    // an otid on the only message is a key too; a different otid is a new send
    llm.enqueue(Step.sendMessage("A.", "otid answer"), Step.sendMessage("B.", "other otid"));
    JsonObject withOtid = new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", "with otid").put("otid", "client-otid-1")));
    assertEquals(api.post(path, key, withOtid).json(), api.post(path, key, withOtid).json());
    assertEquals(1, countUserMessages("with otid"));
    withOtid.getJsonArray("messages").getJsonObject(0).put("otid", "client-otid-2");
    assertEquals("other otid", api.post(path, key, withOtid).json().getJsonArray("messages").getJsonObject(1)
        .getString("content"));
    assertEquals(2, countUserMessages("with otid"));
  }

  @Test
  @DisplayName("a repeat that arrives while the first send runs attaches to it")
  void repeatAttachesToTheRunningSend() throws Exception {
    llm.enqueue(Step.sendMessage("Slowly.", "Worth the wait.").after(500));
    String path = "/v1/agents/" + agent + "/messages";
    Map<String, String> keyed = Map.of("Idempotency-Key", "slow-key");
    CompletableFuture<SseStream.Result> first = CompletableFuture.supplyAsync(() ->
        SseStream.post(api.base(), path, key, userMessage("once").put("streaming", true), keyed));
    sleep(150);
    SseStream.Result attached = SseStream.post(api.base(), path, key, userMessage("once"), keyed);
    SseStream.Result original = first.get(20, TimeUnit.SECONDS);
    assertEquals("Worth the wait.", new JsonObject(attached.body()).getJsonArray("messages").getJsonObject(1)
        .getString("content"));
    assertEquals(original.events().get(0).json().getString("run_id"), new JsonObject(attached.body())
        .getJsonObject("usage").getJsonArray("run_ids").getString(0));
    assertEquals(1, llm.requestCount());
    assertEquals(1, countUserMessages("once"));
  }

  private long countUserMessages(String text) {
    return new JsonArray(api.get("/v1/agents/" + agent + "/messages?limit=1000", key).body()).stream()
        .filter(m -> text.equals(((JsonObject) m).getString("content"))).count();
  }

  @Test
  @DisplayName("cancel stops a running run at its next step boundary, and a queued one before it starts")
  void cancel() {
    llm.enqueue(Step.toolCall("Step one.", "core_memory_append", new JsonObject().put("name", "human")
        .put("content", "Cancelled later.").put("request_heartbeat", true)).after(400),
        Step.sendMessage("Never.", "never"));
    String running = api.post("/v1/agents/" + agent + "/messages/async", key, userMessage("long")).json()
        .getString("id");
    String waiting = api.post("/v1/agents/" + agent + "/messages/async", key, userMessage("waiting")).json()
        .getString("id");
    awaitStatus(api, key, running, "running");
    JsonObject results = api.post("/v1/agents/" + agent + "/messages/cancel", key, new JsonObject()
        .put("run_ids", new JsonArray().add(running).add(waiting))).json();
    assertEquals(new JsonObject().put(running, "cancelled").put(waiting, "cancelled"), results);
    assertEquals("cancelled", awaitStatus(api, key, waiting, "cancelled").getString("stop_reason"));
    JsonObject stopped = awaitStatus(api, key, running, "cancelled");
    assertEquals("cancelled", stopped.getString("stop_reason"));
    assertEquals(1, llm.requestCount(), "the step in progress finished; no other started");
    List<String> replayed = frames(replay(running, null, Map.of()));
    assertEquals(List.of("1|reasoning_message", "2|tool_call_message", "3|tool_return_message", "4|stop_reason",
        "5|usage_statistics", "|[DONE]"), replayed);
    assertEquals(0, countUserMessages("waiting"), "the queued run never started");
    // nothing left to cancel; a finished run says how it ended; an unknown one is not found
    JsonObject again = api.post("/v1/agents/" + agent + "/messages/cancel", key, new JsonObject()
        .put("run_ids", new JsonArray().add(running).add("run-00000000-0000-4000-8000-000000000000"))).json();
    assertEquals("cancelled", again.getString(running));
    assertEquals("not_found", again.getString("run-00000000-0000-4000-8000-000000000000"));
    assertEquals(new JsonObject(), api.post("/v1/agents/" + agent + "/messages/cancel", key, null).json());
  }

  @Test
  @DisplayName("runs list by agent, status and activity, paged both ways until an empty page")
  void listRuns() {
    String other = "agent-" + api.newAgent(key, "letta-runs-other");
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      llm.enqueue(Step.sendMessage("Hm.", "n" + i));
      mine.add(api.post("/v1/agents/" + agent + "/messages", key, userMessage("m" + i)).json()
          .getJsonObject("usage").getJsonArray("run_ids").getString(0));
    }
    llm.enqueue(Step.sendMessage("Hm.", "other"));
    api.post("/v1/agents/" + other + "/messages", key, userMessage("o"));
    assertEquals(4, new JsonArray(api.get("/v1/runs/", key).body()).size());
    JsonArray byAgent = new JsonArray(api.get("/v1/runs/?agent_id=" + agent, key).body());
    List<String> newestFirst = new ArrayList<>(mine);
    java.util.Collections.reverse(newestFirst);
    assertEquals(newestFirst, byAgent.stream().map(r -> ((JsonObject) r).getString("id")).toList());
    assertEquals(mine, walk("agent_id=" + agent + "&order=asc&limit=2"));
    assertEquals(newestFirst, walk("agent_id=" + agent + "&limit=2"));
    assertEquals(3, new JsonArray(api.get("/v1/runs/?agent_id=" + agent + "&statuses=completed&statuses=failed",
        key).body()).size());
    assertEquals(0, new JsonArray(api.get("/v1/runs/?active=true", key).body()).size());
    assertEquals(0, new JsonArray(api.get("/v1/runs/active", key).body()).size());
    assertEquals(0, new JsonArray(api.get("/v1/runs/?background=true", key).body()).size());
    assertStatus(422, api.get("/v1/runs/?statuses=sleeping", key), "statuses");
    assertStatus(422, api.get("/v1/runs/?agent_id=nope", key), "agent_id");
    assertStatus(422, api.get("/v1/runs/?active=often", key), "active");
    assertStatus(404, api.get("/v1/runs/run-00000000-0000-4000-8000-000000000000", key), "not found");
    assertStatus(404, api.get("/v1/runs/not-a-run", key), "not found");
    assertStatus(422, api.post("/v1/runs/" + mine.get(0) + "/stream", key, new JsonObject()
        .put("starting_after", -1)), "starting_after");
    SseStream.Result badHeader = replay(mine.get(0), null, Map.of("Last-Event-ID", "abc"));
    assertEquals(422, badHeader.status());
  }

  private List<String> walk(String query) {
    List<String> out = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < 50; pages++) {
      JsonArray page = new JsonArray(api.get("/v1/runs/?" + query + (after == null ? "" : "&after=" + after), key)
          .body());
      if (page.isEmpty()) {
        return out;
      }
      page.forEach(r -> out.add(((JsonObject) r).getString("id")));
      after = page.getJsonObject(page.size() - 1).getString("id");
    }
    throw new AssertionError("the pager did not end: " + out);
  }
}
