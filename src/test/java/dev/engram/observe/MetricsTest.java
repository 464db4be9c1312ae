package dev.engram.observe;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** GET /metrics over real HTTP: Vert.x's and Engram's own meter families, labelled by route template, and its access. */
class MetricsTest {
  private static final Pattern ROUTE_LABEL = Pattern.compile("route=\"([^\"]*)\"");

  private final TestServer server = TestServer.shared();
  private final Api api = server.api;

  @BeforeEach
  void resetModel() {
    TestServer.llm().reset();
  }

  @Test
  @DisplayName("after a step, /metrics has the HTTP, event-bus, pool and Engram families, routes as templates")
  void familiesAfterAStep() {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "metrics-agent");
    TestServer.llm().enqueue(Step.sendMessage("counting", "Counted.").withUsage(120, 8));
    Api.Response sent = api.post("/api/agents/" + agentId + "/messages", key,
        new JsonObject().put("message", "count me").put("stream", false).put("role", "user"));
    assertEquals(200, sent.status(), sent.body());
    assertEquals(200, api.post("/api/agents/" + agentId + "/archival", key,
        new JsonObject().put("content", "The metrics test stores one passage.")).status());
    assertEquals(200, api.get("/api/agents/" + agentId + "/archival?query=passage", key).status());

    Api.Response r = api.get("/metrics", null);
    assertEquals(200, r.status(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
    String text = r.body();
    for (String family : new String[] {
        // Vert.x: HTTP by route template and status, the event bus, the PostgreSQL pool
        "vertx_http_server_requests_total", "vertx_eventbus_processed_total", "vertx_pool_in_use",
        // Engram's own
        "engram_agent_step_seconds_bucket", "engram_agent_run_seconds_count", "engram_llm_request_seconds_count",
        "engram_llm_tokens_total", "engram_embed_batch_size_count", "engram_embed_queue_wait_seconds_count",
        "engram_index_documents", "engram_index_search_seconds_count", "engram_agent_mailbox_depth",
        "engram_http_streams_active", "engram_jobs_running"}) {
      assertTrue(text.contains("\n" + family), () -> family + " missing from:\n" + text);
    }
    assertTrue(text.contains("route=\"/api/agents/:agent_id/messages\""), text);
    assertTrue(Pattern.compile("vertx_http_server_requests_total\\{[^}]*code=\"200\"[^}]*route=\"/api/agents/"
        + ":agent_id/messages\"").matcher(text).find(), text);
    assertTrue(Pattern.compile("engram_agent_run_seconds_count\\{stop_reason=\"end_turn\"} [1-9]").matcher(text)
        .find(), text);
    assertTrue(Pattern.compile("engram_llm_tokens_total\\{kind=\"prompt\",model=\"gpt-4\"} [1-9]").matcher(text)
        .find(), text);
    assertTrue(Pattern.compile("engram_llm_request_seconds_count\\{model=\"gpt-4\",outcome=\"ok\"} [1-9]")
        .matcher(text).find(), text);
    assertTrue(Pattern.compile("engram_index_documents\\{index=\"archival\"} [0-9]").matcher(text).find(), text);
    // the run's own address is one label value, not one per run
    assertTrue(text.contains("address=\"agent.run.events\""), text);
    assertFalse(Pattern.compile("address=\"agent\\.run\\.(?!events\")").matcher(text).find(), text);
    // no id in any label: a route label is always a template
    Matcher routes = ROUTE_LABEL.matcher(text);
    while (routes.find()) {
      String route = routes.group(1);
      assertFalse(route.contains(agentId), route);
      assertFalse(Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-").matcher(route).find(), route);
    }
    assertFalse(text.contains(agentId), "an agent id in a label");
  }

  @Test
  @DisplayName("METRICS_ACCESS=admin: /metrics answers 401 without the admin password, 200 with it")
  void adminAccess() {
    try (TestServer own = TestServer.start(TempHomes.create("engram-metrics-admin-"),
        Map.of("METRICS_ACCESS", "admin"))) {
      Api.Response refused = own.api.get("/metrics", null);
      assertEquals(401, refused.status(), refused.body());
      assertTrue(refused.json().getString("detail").contains("admin password"), refused.body());
      String userKey = own.api.newUser().getString("api_key");
      assertEquals(401, own.api.get("/metrics", userKey).status());
      Api.Response admitted = own.api.get("/metrics", TestServer.ADMIN);
      assertEquals(200, admitted.status(), admitted.body());
      assertTrue(admitted.body().contains("vertx_http_server_requests_total"), admitted.body());
    }
  }
}
