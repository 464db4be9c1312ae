package dev.engram.http;

import static dev.engram.http.Problems.assertOk;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import dev.engram.testkit.TempHomes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Everything a user created survives a restart of the server on the same ENGRAM_HOME. */
class RestartTest {
  @BeforeEach
  void reset() {
    TestServer.llm().reset();
  }

  @Test
  @DisplayName("after a restart the key and token still work and the agent, its memory and its messages are all there")
  void stateSurvivesRestart() throws Exception {
    Path home = TempHomes.create("engram-restart-");
    String key;
    String userId;
    String agentId;
    String token;
    JsonArray messagesBefore;
    JsonObject memoryBefore;
    String newHuman = "Name: Margaret. Works on: Apollo guidance software.";

    TestServer first = TestServer.start(home, Map.of());
    try {
      Api api = first.api;
      JsonObject user = api.newUser();
      key = user.getString("api_key");
      userId = user.getString("user_id");
      agentId = api.newAgent(key, "Survivor");
      TestServer.llm().enqueue(Step.sendMessage("Someone says hi.", "Hello Margaret!"));
      Api.Response sent = api.post("/api/agents/" + agentId + "/messages", key,
          new JsonObject().put("message", "hi, it's Margaret").put("stream", false));
      assertOk(sent);
      assertOk(api.post("/api/agents/" + agentId + "/memory", key, new JsonObject().put("human", newHuman)));
      token = api.post("/api/auth/token", key, new JsonObject()).json().getString("token");
      assertOk(api.get("/api/agents", token));
      messagesBefore = api.messages(agentId, key, 1000);
      memoryBefore = api.get("/api/agents/" + agentId + "/memory", key).json();
      assertTrue(Files.exists(home.resolve("jwt-secret")), "the JWT secret is kept in ENGRAM_HOME");
    } finally {
      first.close();
    }

    TestServer second = TestServer.start(home, Map.of());
    try {
      Api api = second.api;
      JsonObject list = api.get("/api/agents", key).json();
      assertEquals(1, list.getInteger("num_agents"), list.encode());
      assertEquals(agentId, list.getJsonArray("agents").getJsonObject(0).getString("id"));
      assertEquals("Survivor", list.getJsonArray("agents").getJsonObject(0).getString("name"));
      assertTrue(api.get("/admin/users", TestServer.ADMIN).json().getJsonArray("user_list")
          .contains(new JsonObject().put("user_id", userId)));

      // the JWT secret persisted, so a token issued before the restart is still valid
      Api.Response viaToken = api.get("/api/agents", token);
      assertOk(viaToken);
      assertEquals(1, viaToken.json().getInteger("num_agents"));

      JsonObject memory = api.get("/api/agents/" + agentId + "/memory", key).json();
      assertEquals(newHuman, memory.getJsonObject("core_memory").getString("human"));
      assertEquals(memoryBefore, memory);
      JsonArray messages = api.messages(agentId, key, 1000);
      assertEquals(messagesBefore, messages);
      List<String> idsBefore = messagesBefore.stream().map(m -> ((JsonObject) m).getString("id")).toList();
      assertEquals(idsBefore, messages.stream().map(m -> ((JsonObject) m).getString("id")).toList());
      // the in-context window came back too: the agent's prompt still carries the edited memory
      assertTrue(api.get("/api/agents/" + agentId + "/config", key).json().getJsonObject("agent_state")
          .getJsonObject("state").getString("system").contains(newHuman));

      // and the conversation goes on from where it was
      TestServer.llm().reset();
      TestServer.llm().enqueue(Step.sendMessage("She is back.", "Welcome back, Margaret."));
      Api.Response again = api.post("/api/agents/" + agentId + "/messages", key,
          new JsonObject().put("message", "I'm back").put("stream", false));
      assertOk(again);
      assertTrue(again.json().getJsonArray("messages").stream()
          .anyMatch(e -> "Welcome back, Margaret.".equals(((JsonObject) e).getString("assistant_message"))),
          again.body());
      // the model saw the earlier exchange and the edited memory
      JsonArray prompt = TestServer.llm().requests().get(0).getJsonArray("messages");
      assertTrue(prompt.encode().contains("hi, it's Margaret"), prompt.encode());
      assertTrue(prompt.getJsonObject(0).getString("content").contains(newHuman));

      JsonArray after = api.messages(agentId, key, 1000);
      assertTrue(after.size() > messages.size(), after.encode());
      int added = after.size() - messages.size();
      assertEquals(idsBefore, after.stream().skip(added).map(m -> ((JsonObject) m).getString("id")).toList(),
          "the old messages are kept, behind the new ones");
      assertTrue(after.stream().limit(added).anyMatch(m -> "user".equals(((JsonObject) m).getString("role"))
          && ((JsonObject) m).getString("text").contains("I'm back")));
      assertEquals((long) after.size(), api.get("/api/agents/" + agentId + "/memory", key).json()
          .getLong("recall_memory"));
    } finally {
      second.close();
    }
  }
}
