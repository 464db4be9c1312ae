package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static dev.engram.http.Problems.assertOk;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One user's agent is invisible to every other user: each route answers 404, as if it did not exist. */
class IsolationTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json

  @BeforeEach
  void reset() {
    TestServer.llm().reset();
  }

  @Test
  @DisplayName("user B gets 404 with a detail on every route of user A's agent, and A's agent is left unchanged")
  void otherUsersAgentIsInvisible() {
    String a = api.newUser().getString("api_key");
    String b = api.newUser().getString("api_key");
    String agentId = api.newAgent(a, "Private Agent");
    TestServer.llm().enqueue(Step.sendMessage("A greets me.", "Hello A, only you can see this."));
    assertOk(api.post("/api/agents/" + agentId + "/messages", a,
        new JsonObject().put("message", "hi, this is A").put("role", "user")));
    String bAgent = api.newAgent(b, "B own agent");

    JsonObject configBefore = api.get("/api/agents/" + agentId + "/config", a).json().getJsonObject("agent_state");
    JsonObject memoryBefore = api.get("/api/agents/" + agentId + "/memory", a).json();
    JsonArray messagesBefore = api.messages(agentId, a, 1000);
    int llmRequests = TestServer.llm().requestCount();

    String base = "/api/agents/" + agentId;
    assertError(api.get(base + "/config", b), 404, agentId);
    assertError(api.patch(base + "/rename", b, new JsonObject().put("agent_name", "Stolen")), 404, agentId);
    assertError(api.get(base + "/memory", b), 404, agentId);
    assertError(api.post(base + "/memory", b, new JsonObject().put("human", "B was here")), 404, agentId);
    assertError(api.post(base + "/command", b, new JsonObject().put("command", "/memory")), 404, agentId);
    assertError(api.post(base + "/command", b, new JsonObject().put("command", "/pop 3")), 404, agentId);
    assertError(api.get(base + "/messages?start=0&count=10", b), 404, agentId);
    assertError(api.get(base + "/messages-cursor?limit=10", b), 404, agentId);
    assertError(api.post(base + "/messages", b, new JsonObject().put("message", "I am B").put("stream", false)), 404,
        agentId);
    Api.Response streamed = api.post(base + "/messages", b,
        new JsonObject().put("message", "I am B, streaming").put("stream", true));
    assertError(streamed, 404, agentId);
    assertFalse(streamed.headers().firstValue("content-type").orElse("").contains("event-stream"),
        "a refused stream must not start an event stream");
    assertError(api.delete(base, b), 404, agentId);

    // B's list has only B's agent
    JsonObject bList = api.get("/api/agents", b).json();
    assertEquals(1, bList.getInteger("num_agents"));
    assertEquals(bAgent, bList.getJsonArray("agents").getJsonObject(0).getString("id"));

    // nothing B did reached the model or changed A's agent
    assertEquals(llmRequests, TestServer.llm().requestCount());
    JsonObject configAfter = api.get(base + "/config", a).json().getJsonObject("agent_state");
    assertEquals("Private Agent", configAfter.getString("name"));
    assertEquals(configBefore.getJsonObject("state"), configAfter.getJsonObject("state"));
    assertEquals(memoryBefore, api.get(base + "/memory", a).json());
    assertEquals(messagesBefore, api.messages(agentId, a, 1000));
    assertFalse(api.messages(agentId, a, 1000).encode().contains("I am B"));
    JsonObject aList = api.get("/api/agents", a).json();
    assertEquals(1, aList.getInteger("num_agents"));
    assertEquals(agentId, aList.getJsonArray("agents").getJsonObject(0).getString("id"));
  }

  @Test
  @DisplayName("the default user (admin password) cannot reach a regular user's agent either")
  void adminPasswordIsNotASuperuserOnApi() {
    String a = api.newUser().getString("api_key");
    String agentId = api.newAgent(a, "Not the admin one");
    assertError(api.get("/api/agents/" + agentId + "/config", TestServer.ADMIN), 404, agentId);
    assertError(api.delete("/api/agents/" + agentId, TestServer.ADMIN), 404, agentId);
    assertOk(api.get("/api/agents/" + agentId + "/config", a));
  }
}
