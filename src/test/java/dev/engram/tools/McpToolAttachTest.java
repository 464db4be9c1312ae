package dev.engram.tools;

import static dev.engram.tools.CustomToolsTest.agentWith;
import static dev.engram.tools.CustomToolsTest.created;
import static dev.engram.tools.CustomToolsTest.sendV1;
import static dev.engram.tools.CustomToolsTest.toolReturn;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.mcp.TestMcpServer;
import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A user's MCP server tools attached to agents and called by the scripted model, over stdio and streamable HTTP. */
class McpToolAttachTest {
  private static TestMcpServer.Http http;
  private final Api api = TestServer.shared().api;
  private final ScriptedLlm llm = TestServer.llm();

  @BeforeAll
  static void startMcp() throws Exception {
    http = TestMcpServer.http(0, false);
  }

  @AfterAll
  static void stopMcp() throws Exception {
    http.close();
  }

  @BeforeEach
  void reset() {
    llm.reset();
  }

  private JsonObject toolOf(String key, String serverId, String name) {
    for (Object o : new JsonArray(api.get("/v1/mcp-servers/" + serverId + "/tools", key).body())) {
      if (((JsonObject) o).getString("name").equals(name)) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError("no MCP tool " + name);
  }

  @Test
  @DisplayName("an HTTP MCP server's tool attached by id is offered to the model and called; a failure is a failed return")
  void httpToolAttachedById() {
    String key = api.newUser().getString("api_key");
    String server = created(api.post("/v1/mcp-servers/", key, new JsonObject().put("server_name", "calc")
        .put("config", new JsonObject().put("mcp_server_type", "streamable_http").put("server_url", http.url()))))
        .getString("id");
    JsonObject add = toolOf(key, server, "add");
    String agent = agentWith(api, key);
    Api.Response attached = api.patch("/v1/agents/" + agent + "/tools/attach/" + add.getString("id"), key, null);
    assertEquals(200, attached.status(), attached.body());
    assertTrue(attached.json().getJsonArray("tools").stream()
        .anyMatch(t -> "external_mcp".equals(((JsonObject) t).getString("tool_type"))), attached.body());
    assertEquals(add.getString("id"), created(api.get("/v1/tools/" + add.getString("id"), key)).getString("id"));
    assertTrue(api.get("/v1/tools/?tool_types=external_mcp", key).body().contains("\"add\""));

    llm.enqueue(Step.toolCall(null, "add", new JsonObject().put("a", 2).put("b", 3).put("request_heartbeat", true)),
        Step.toolCall(null, "add", new JsonObject().put("a", "two").put("b", 3).put("request_heartbeat", true)),
        Step.sendMessage(null, "5"));
    JsonArray messages = sendV1(api, agent, key, "add 2 and 3");
    List<JsonObject> returns = messages.stream().map(m -> (JsonObject) m)
        .filter(m -> "tool_return_message".equals(m.getString("message_type"))).toList();
    assertEquals("success", returns.get(0).getString("status"), returns.get(0).encode());
    assertTrue(returns.get(0).getString("tool_return").contains("5"), returns.get(0).encode());
    assertEquals("error", returns.get(1).getString("status"), "arguments are checked against the MCP schema");
    List<String> offered = llm.requests().get(0).getJsonArray("tools").stream()
        .map(t -> ((JsonObject) t).getJsonObject("function").getString("name")).toList();
    assertTrue(offered.contains("add"), offered.toString());

    // another user cannot see or attach it
    String other = api.newUser().getString("api_key");
    String theirs = agentWith(api, other);
    assertEquals(404, api.get("/v1/tools/" + add.getString("id"), other).status());
    assertEquals(404, api.patch("/v1/agents/" + theirs + "/tools/attach/" + add.getString("id"), other, null)
        .status());
    // detach
    Api.Response detached = api.patch("/v1/agents/" + agent + "/tools/detach/" + add.getString("id"), key, null);
    assertEquals(200, detached.status(), detached.body());
    assertFalse(detached.body().contains("external_mcp"), detached.body());
  }

  @Test
  @DisplayName("a stdio MCP server's tool named at agent creation is called; a tool that fails is a failed return")
  void stdioToolByName() {
    String admin = TestServer.ADMIN;
    List<String> command = TestMcpServer.command();
    String name = "local-" + System.nanoTime();
    created(api.post("/v1/mcp-servers/", admin, new JsonObject().put("server_name", name).put("config",
        new JsonObject().put("mcp_server_type", "stdio").put("command", command.get(0))
            .put("args", new JsonArray(command.subList(1, command.size()))))));
    String agent = agentWith(api, admin, "echo", "fail");
    llm.enqueue(Step.toolCall(null, "echo", new JsonObject().put("text", "ping").put("request_heartbeat", true)),
        Step.toolCall(null, "fail", new JsonObject().put("message", "nope").put("request_heartbeat", true)),
        Step.sendMessage(null, "ok"));
    JsonArray messages = sendV1(api, agent, admin, "echo ping");
    JsonObject echo = toolReturn(messages);
    assertEquals("success", echo.getString("status"), echo.encode());
    assertTrue(echo.getString("tool_return").contains("ping"), echo.encode());
    JsonObject failed = messages.stream().map(m -> (JsonObject) m)
        .filter(m -> "tool_return_message".equals(m.getString("message_type"))).skip(1).findFirst().orElseThrow();
    assertEquals("error", failed.getString("status"), failed.encode());
  }
}
