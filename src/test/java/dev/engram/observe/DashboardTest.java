package dev.engram.observe;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The admin dashboard's figures: the window quantiles on a real Prometheus registry, and GET /admin/dashboard. */
class DashboardTest {
  @Test
  @DisplayName("a window's p50/p99 come from what was recorded in it, not from what came before")
  void windowQuantiles() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Timer timer = EngramMetrics.latency("test.latency", "a test timer").register(registry);
    for (int i = 0; i < 100; i++) {
      timer.record(Duration.ofMillis(5));
    }
    HistogramWindow before = HistogramWindow.of(List.of(timer));
    assertNull(before.quantileSince(before, 0.5), "nothing recorded in an empty window");
    for (int i = 0; i < 99; i++) {
      timer.record(Duration.ofMillis(200));
    }
    timer.record(Duration.ofSeconds(3));
    HistogramWindow now = HistogramWindow.of(List.of(timer));
    double p50 = now.quantileSince(before, 0.5);
    double p99 = now.quantileSince(before, 0.99);
    double p100 = now.quantileSince(before, 1.0);
    // buckets are coarse (about 10 % apart at these sizes): the quantile lands in the bucket of the value
    assertTrue(p50 > 0.15 && p50 <= 0.25, "p50 " + p50);
    assertTrue(p99 > 0.15 && p99 <= 0.25, "p99 " + p99);
    assertTrue(p100 > 2.5 && p100 <= 3.6, "max " + p100);
    // since start, the 5 ms calls are the lower half
    double sinceStart = now.quantileSince(HistogramWindow.EMPTY, 0.25);
    assertTrue(sinceStart < 0.01, "p25 since start " + sinceStart);
    // two timers of one name add up (the LLM's, one per model and outcome)
    Timer other = EngramMetrics.latency("test.latency", "a test timer").tag("model", "b").register(registry);
    other.record(Duration.ofMillis(5));
    assertEquals(201, HistogramWindow.of(List.of(timer, other)).count());
  }

  @Test
  @DisplayName("GET /admin/dashboard: steps/s, step and LLM latency, streams, errors and runs by stop reason move"
      + " after steps")
  void dashboardAfterSteps() throws Exception {
    // a server of its own: the figures are of the last minute, which other tests' model calls would dilute
    try (TestServer own = TestServer.start(TempHomes.create("engram-dashboard-"), Map.of())) {
      Api api = own.checkedApi();
      TestServer.llm().reset();
      Api.Response first = api.get("/admin/dashboard", TestServer.ADMIN);
      assertEquals(200, first.status(), first.body());
      long stepsBefore = first.json().getJsonObject("totals").getLong("steps");
      String key = api.newUser().getString("api_key");
      String agentId = api.newAgent(key, "dashboard-agent");
      for (int i = 0; i < 3; i++) {
        TestServer.llm().enqueue(Step.sendMessage("counting", "Counted " + i + ".").after(20));
        Api.Response sent = api.post("/api/agents/" + agentId + "/messages", key,
            new JsonObject().put("message", "count " + i).put("stream", false).put("role", "user"));
        assertEquals(200, sent.status(), sent.body());
      }
      Thread.sleep(1_100); // the dashboard samples at most once a second
      JsonObject view = api.get("/admin/dashboard", TestServer.ADMIN).json();
      assertTrue(view.getJsonObject("totals").getLong("steps") >= stepsBefore + 3, view.encodePrettily());
      JsonObject now = view.getJsonObject("now");
      assertTrue(now.getDouble("steps_per_second") > 0, view.encodePrettily());
      assertTrue(now.getDouble("step_p50_ms") > 0, view.encodePrettily());
      assertTrue(now.getDouble("step_p99_ms") >= now.getDouble("step_p50_ms"), view.encodePrettily());
      assertTrue(now.getDouble("llm_p50_ms") >= 15, "the scripted model waits 20 ms: " + view.encodePrettily());
      assertNotNull(now.getLong("websockets"), view.encodePrettily());
      assertNotNull(now.getLong("sse_streams"), view.encodePrettily());
      assertNotNull(now.getLong("http_5xx_recent"), view.encodePrettily());
      assertNotNull(now.getLong("llm_errors_recent"), view.encodePrettily());
      assertTrue(view.getJsonObject("runs_by_stop_reason").getLong("end_turn") >= 3, view.encodePrettily());
      assertTrue(view.getJsonArray("points").size() >= 2, view.encodePrettily());
      assertEquals(now, view.getJsonArray("points").getJsonObject(view.getJsonArray("points").size() - 1));
    }
  }

  @Test
  @DisplayName("asked twice within a second, the dashboard takes no new sample")
  void atMostOneSampleASecond() {
    Dashboard dashboard = new Dashboard(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    assertEquals(1, dashboard.view(10_000).getJsonArray("points").size());
    assertEquals(1, dashboard.view(10_500).getJsonArray("points").size());
    assertEquals(2, dashboard.view(11_000).getJsonArray("points").size());
    // after a pause nobody watched, the history starts afresh
    assertEquals(1, dashboard.view(11_000 + Dashboard.GAP_MS + 1).getJsonArray("points").size());
  }
}
