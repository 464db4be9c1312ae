package dev.engram.agent;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Sends to different agents run in parallel; sends to one agent run one at a time, in arrival order. */
class ConcurrencyTest {
  private static final long LLM_DELAY_MS = 1000;
  private static final Pattern FACT = Pattern.compile("remember (fact-\\d+)");

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();

  @BeforeEach
  void reset() {
    llm.reset();
  }

  @Test
  @DisplayName("sends to two different agents are processed at the same time")
  void differentAgentsOverlap() throws Exception {
    String key = api.newUser().getString("api_key");
    String agentA = api.newAgent(key, "parallel-a");
    String agentB = api.newAgent(key, "parallel-b");
    // warm both agents up (loaded and cached, connections open) so that the timed sends measure only the steps
    assertEquals(200, StepLoopTest.send(api, agentA, key, "warm up").status());
    assertEquals(200, StepLoopTest.send(api, agentB, key, "warm up").status());

    Map<String, Long> arrivals = new ConcurrentHashMap<>();
    llm.fallback(req -> {
      String text = StepLoopTest.lastMessage(req).getString("content");
      String who = text.contains("hello from A") ? "A" : text.contains("hello from B") ? "B" : "?";
      arrivals.put(who, System.nanoTime());
      return Step.sendMessage(null, "hi " + who).after(LLM_DELAY_MS);
    });

    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      long[] ends = new long[2];
      Future<Api.Response> a = pool.submit(() -> {
        go.await();
        Api.Response r = StepLoopTest.send(api, agentA, key, "hello from A");
        ends[0] = System.nanoTime();
        return r;
      });
      Future<Api.Response> b = pool.submit(() -> {
        go.await();
        Api.Response r = StepLoopTest.send(api, agentB, key, "hello from B");
        ends[1] = System.nanoTime();
        return r;
      });
      long start = System.nanoTime();
      go.countDown();
      Api.Response ra = a.get(30, TimeUnit.SECONDS);
      Api.Response rb = b.get(30, TimeUnit.SECONDS);
      long wallMs = (Math.max(ends[0], ends[1]) - start) / 1_000_000;

      assertEquals(200, ra.status(), ra.body());
      assertEquals(200, rb.status(), rb.body());
      assertEquals("hi A", ra.json().getJsonArray("messages").getJsonObject(2).getString("assistant_message"));
      assertEquals("hi B", rb.json().getJsonArray("messages").getJsonObject(2).getString("assistant_message"));
      assertEquals(2, arrivals.size(), arrivals.toString());
      long apartMs = Math.abs(arrivals.get("A") - arrivals.get("B")) / 1_000_000;
      assertTrue(apartMs < LLM_DELAY_MS, "the second agent reached the LLM " + apartMs
          + " ms after the first, so it waited for the first one's answer");
      assertTrue(wallMs < 2 * LLM_DELAY_MS, "two sends with a " + LLM_DELAY_MS + " ms LLM took " + wallMs + " ms");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("16 agents waiting on a slow model all reach it at once (no small connection pool in between)")
  void manyAgentsWaitOnTheModelTogether() throws Exception {
    int n = 16;
    String key = api.newUser().getString("api_key");
    List<String> agents = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      agents.add(api.newAgent(key, "crowd-" + i));
    }
    CountDownLatch allArrived = new CountDownLatch(n);
    llm.fallback(req -> {
      allArrived.countDown();
      return Step.sendMessage(null, "answered").after(LLM_DELAY_MS);
    });
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Api.Response>> sends = new ArrayList<>();
      for (String agentId : agents) {
        sends.add(pool.submit(() -> StepLoopTest.send(api, agentId, key, "are you there?")));
      }
      assertTrue(allArrived.await(LLM_DELAY_MS * 3 / 4, TimeUnit.MILLISECONDS), (n - allArrived.getCount())
          + " of " + n + " sends reached the model before the first answer was due; the others were held back");
      for (Future<Api.Response> send : sends) {
        assertEquals(200, send.get(30, TimeUnit.SECONDS).status());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("20 concurrent sends to one agent all succeed, lose no memory edit and never interleave their steps")
  void oneAgentSerialises() throws Exception {
    int n = 20;
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "busy");
    llm.fallback(req -> {
      JsonObject envelope = new JsonObject(StepLoopTest.lastMessage(req).getString("content"));
      Matcher m = FACT.matcher(String.valueOf(envelope.getString("message")));
      if (!m.find()) {
        return Step.sendMessage(null, "unexpected input");
      }
      return Step.toolCall("Saving " + m.group(1), "core_memory_append", new JsonObject().put("name", "human")
          .put("content", m.group(1)).put("request_heartbeat", false));
    });

    ExecutorService pool = Executors.newFixedThreadPool(n);
    List<Api.Response> responses = new ArrayList<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Api.Response>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String message = "please remember fact-" + i;
        futures.add(pool.submit(() -> {
          go.await();
          return StepLoopTest.send(api, agentId, key, message);
        }));
      }
      go.countDown();
      for (Future<Api.Response> f : futures) {
        responses.add(f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    for (Api.Response r : responses) {
      assertEquals(200, r.status(), r.body());
      JsonObject ret = r.json().getJsonArray("messages").getJsonObject(2);
      assertEquals("success", ret.getString("status"), ret.encode());
    }

    // no lost edit: every fact is a line of the human block
    List<String> lines = Arrays.asList(StepLoopTest.memory(api, agentId, key).getString("human").split("\n"));
    for (int i = 0; i < n; i++) {
      assertTrue(lines.contains("fact-" + i), "fact-" + i + " missing from " + lines);
    }

    // recall, oldest first: each user message is directly followed by its own call and that call's result
    JsonArray newestFirst = api.messages(agentId, key, 1000);
    List<JsonObject> recall = new ArrayList<>();
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      recall.add(newestFirst.getJsonObject(i));
    }
    List<String> storedOrder = new ArrayList<>();
    for (int i = 0; i < recall.size(); i++) {
      JsonObject user = recall.get(i);
      if (!"user".equals(user.getString("role"))) {
        continue;
      }
      Matcher m = FACT.matcher(user.getString("text"));
      if (!m.find()) {
        continue;
      }
      String fact = m.group(1);
      storedOrder.add(fact);
      assertTrue(i + 2 < recall.size(), "nothing stored after the message of " + fact);
      JsonObject assistant = recall.get(i + 1);
      JsonObject tool = recall.get(i + 2);
      assertEquals("assistant", assistant.getString("role"), "after " + fact + ": " + assistant.encode());
      JsonObject call = assistant.getJsonArray("tool_calls").getJsonObject(0);
      JsonObject args = new JsonObject(call.getJsonObject("function").getString("arguments"));
      assertEquals(fact, args.getString("content"), "the call following " + fact + " is another send's");
      assertEquals("tool", tool.getString("role"), "after " + fact + ": " + tool.encode());
      assertEquals(call.getString("id"), tool.getString("tool_call_id"));
    }
    assertEquals(n, storedOrder.size(), storedOrder.toString());

    // the model was called in the order the messages were stored
    List<String> llmOrder = new ArrayList<>();
    for (JsonObject req : llm.requests()) {
      Matcher m = FACT.matcher(StepLoopTest.lastMessage(req).getString("content"));
      assertTrue(m.find(), "unexpected LLM request " + StepLoopTest.lastMessage(req).encode());
      llmOrder.add(m.group(1));
    }
    assertEquals(storedOrder, llmOrder);
  }
}
