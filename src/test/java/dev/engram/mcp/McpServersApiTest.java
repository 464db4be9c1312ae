package dev.engram.mcp;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Letta's {@code /v1/mcp-servers} through HTTP on a real server: registering servers of each type (their tools are
 * listed and stored), running a tool, refresh, update and delete, secrets never shown in full, another user's server
 * and tools unknown (404), and the registration rules (stdio for the admin only, no loopback URLs for users).
 */
class McpServersApiTest {
  private static final TestServer SERVER = TestServer.shared();
  private static final Api API = SERVER.api;
  private static TestMcpServer.Http http;

  @BeforeAll
  static void startMcp() throws Exception {
    http = TestMcpServer.http(0, false);
  }

  @AfterAll
  static void stopMcp() throws Exception {
    http.close();
  }

  private static JsonObject ok(Api.Response r) {
    assertEquals(200, r.status(), r::body);
    return r.json();
  }

  private static JsonObject httpServer(String name, String token, Map<String, Object> headers) {
    return new JsonObject().put("server_name", name).put("config", new JsonObject()
        .put("mcp_server_type", "streamable_http").put("server_url", http.url()).put("auth_header", "Authorization")
        .put("auth_token", token).put("custom_headers", new JsonObject(headers)));
  }

  private static JsonObject stdioServer(String name, Map<String, Object> env) {
    List<String> command = TestMcpServer.command();
    return new JsonObject().put("server_name", name).put("config", new JsonObject().put("mcp_server_type", "stdio")
        .put("command", command.get(0)).put("args", new JsonArray(command.subList(1, command.size())))
        .put("env", new JsonObject(env)));
  }

  private static JsonObject toolNamed(JsonArray tools, String name) {
    for (Object o : tools) {
      if (((JsonObject) o).getString("name").equals(name)) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError("no tool " + name + " in " + tools.encode());
  }

  @Test
  void streamableHttpServerLifecycleWithMaskedSecrets() {
    String key = API.newUser().getString("api_key");
    String token = "token-0123456789-abcdef";
    JsonObject created = ok(API.post("/v1/mcp-servers/", key, httpServer("remote-tools", token,
        Map.of("X-Custom", "custom-secret-value-1234"))));
    String id = created.getString("id");
    assertTrue(id.startsWith("mcp_server-"), id);
    assertEquals("streamable_http", created.getString("mcp_server_type"));
    assertEquals(http.url(), created.getString("server_url"));
    assertEquals("****cdef", created.getString("auth_token"));
    assertEquals("****1234", created.getJsonObject("custom_headers").getString("X-Custom"));
    assertFalse(created.encode().contains(token) || created.encode().contains("custom-secret-value"));
    assertEquals(created, ok(API.get("/v1/mcp-servers/" + id, key)));
    JsonArray listed = new JsonArray(API.get("/v1/mcp-servers/", key).body());
    assertEquals(1, listed.size());
    assertFalse(listed.encode().contains(token));

    // its tools were listed at registration: Letta tools of type external_mcp with stable ids
    JsonArray tools = new JsonArray(API.get("/v1/mcp-servers/" + id + "/tools", key).body());
    JsonObject add = toolNamed(tools, "add");
    assertEquals("external_mcp", add.getString("tool_type"));
    assertEquals(List.of("mcp:remote-tools"), add.getJsonArray("tags").getList());
    assertEquals(id, add.getJsonObject("metadata_").getJsonObject("mcp").getString("server_id"));
    JsonObject schema = add.getJsonObject("json_schema");
    assertEquals("add", schema.getString("name"));
    assertEquals(List.of("a", "b"), schema.getJsonObject("parameters").getJsonArray("required").getList());
    String addId = add.getString("id");
    assertTrue(addId.startsWith("tool-"), addId);
    assertEquals(add, ok(API.get("/v1/mcp-servers/" + id + "/tools/" + addId, key)));

    JsonObject sum = ok(API.post("/v1/mcp-servers/" + id + "/tools/" + addId + "/run", key,
        new JsonObject().put("args", new JsonObject().put("a", 20).put("b", 22))));
    assertEquals("success", sum.getString("status"));
    assertEquals("42", sum.getString("func_return"));
    // the token and the custom header reached the server in full
    String headerTool = toolNamed(tools, "header").getString("id");
    JsonObject auth = ok(API.post("/v1/mcp-servers/" + id + "/tools/" + headerTool + "/run", key,
        new JsonObject().put("args", new JsonObject().put("name", "Authorization"))));
    assertEquals("Bearer " + token, auth.getString("func_return"));
    JsonObject failed = ok(API.post("/v1/mcp-servers/" + id + "/tools/" + toolNamed(tools, "fail").getString("id")
        + "/run", key, new JsonObject().put("args", new JsonObject().put("message", "nope"))));
    assertEquals(new JsonObject().put("status", "error").put("func_return", "failed: nope")
        .put("stdout", new JsonArray()).put("stderr", new JsonArray()), failed);

    // an update that sends the masked secrets back keeps them; a new name is taken
    JsonObject renamed = ok(API.patch("/v1/mcp-servers/" + id, key, new JsonObject().put("server_name", "renamed")
        .put("config", new JsonObject().put("mcp_server_type", "streamable_http").put("auth_token", "****cdef")
            .put("custom_headers", new JsonObject().put("X-Custom", "****1234")))));
    assertEquals("renamed", renamed.getString("server_name"));
    assertEquals("****cdef", renamed.getString("auth_token"));
    JsonObject again = ok(API.post("/v1/mcp-servers/" + id + "/tools/" + headerTool + "/run", key,
        new JsonObject().put("args", new JsonObject().put("name", "X-Custom"))));
    assertEquals("custom-secret-value-1234", again.getString("func_return"));
    assertEquals(addId, toolNamed(new JsonArray(API.get("/v1/mcp-servers/" + id + "/tools", key).body()), "add")
        .getString("id"), "a tool keeps its id across a refresh");
    JsonObject refreshed = ok(API.patch("/v1/mcp-servers/" + id + "/refresh", key, null));
    assertEquals(new JsonObject().put("added", new JsonArray()).put("updated", new JsonArray())
        .put("deleted", new JsonArray()), refreshed);

    assertEquals(204, API.delete("/v1/mcp-servers/" + id, key).status());
    assertEquals(404, API.get("/v1/mcp-servers/" + id, key).status());
    assertEquals(404, API.post("/v1/mcp-servers/" + id + "/tools/" + addId + "/run", key, new JsonObject()).status());
    assertEquals("[]", API.get("/v1/mcp-servers/", key).body());
  }

  @Test
  void anotherUsersServerAndToolsAreUnknown() {
    String owner = API.newUser().getString("api_key");
    String other = API.newUser().getString("api_key");
    JsonObject created = ok(API.post("/v1/mcp-servers/", owner, httpServer("private-tools", "owner-token-0123456789",
        Map.of())));
    String id = created.getString("id");
    String toolId = toolNamed(new JsonArray(API.get("/v1/mcp-servers/" + id + "/tools", owner).body()), "echo")
        .getString("id");
    assertEquals("[]", API.get("/v1/mcp-servers/", other).body());
    assertEquals(404, API.get("/v1/mcp-servers/" + id, other).status());
    assertEquals(404, API.get("/v1/mcp-servers/" + id + "/tools", other).status());
    assertEquals(404, API.get("/v1/mcp-servers/" + id + "/tools/" + toolId, other).status());
    assertEquals(404, API.post("/v1/mcp-servers/" + id + "/tools/" + toolId + "/run", other,
        new JsonObject().put("args", new JsonObject().put("text", "x"))).status());
    assertEquals(404, API.patch("/v1/mcp-servers/" + id, other, new JsonObject().put("server_name", "mine")
        .put("config", new JsonObject())).status());
    assertEquals(404, API.patch("/v1/mcp-servers/" + id + "/refresh", other, null).status());
    assertEquals(404, API.delete("/v1/mcp-servers/" + id, other).status());
    // the other user's own server cannot run the owner's tool either
    String theirs = ok(API.post("/v1/mcp-servers/", other, httpServer("theirs", null, Map.of()))).getString("id");
    assertEquals(404, API.post("/v1/mcp-servers/" + theirs + "/tools/" + toolId + "/run", other,
        new JsonObject().put("args", new JsonObject().put("text", "x"))).status());
    assertEquals("owner-token-0123456789".length() >= 16 ? "****6789" : "****",
        ok(API.get("/v1/mcp-servers/" + id, owner)).getString("auth_token"));
    assertEquals(409, API.post("/v1/mcp-servers/", owner, httpServer("private-tools", null, Map.of())).status());
  }

  @Test
  void stdioServersAreTheAdminsAndTheirEnvIsMasked() {
    String user = API.newUser().getString("api_key");
    Api.Response refused = API.post("/v1/mcp-servers/", user, stdioServer("local", Map.of()));
    assertEquals(403, refused.status(), refused::body);
    assertTrue(refused.detail().contains("MCP_STDIO=admin"), refused.body());

    JsonObject created = ok(API.post("/v1/mcp-servers/", TestServer.ADMIN, stdioServer("admin-local-" + System
        .nanoTime(), Map.of("API_TOKEN", "stdio-secret-value-5678", "MODE", "x"))));
    String id = created.getString("id");
    try {
      assertEquals(new JsonObject().put("API_TOKEN", "****5678").put("MODE", "****"), created.getJsonObject("env"));
      JsonArray tools = new JsonArray(API.get("/v1/mcp-servers/" + id + "/tools", TestServer.ADMIN).body());
      JsonObject env = ok(API.post("/v1/mcp-servers/" + id + "/tools/" + toolNamed(tools, "env").getString("id")
          + "/run", TestServer.ADMIN, new JsonObject().put("args", new JsonObject().put("name", "API_TOKEN"))));
      assertEquals("stdio-secret-value-5678", env.getString("func_return"));
    } finally {
      assertEquals(204, API.delete("/v1/mcp-servers/" + id, TestServer.ADMIN).status());
    }
  }

  @Test
  void usersCannotRegisterLoopbackUrlsUnlessAllowed() throws Exception {
    try (TestServer strict = TestServer.start(TempHomes.create("engram-mcp-"), Map.of(
        "MCP_ALLOW_PRIVATE_URLS", "false", "MCP_STDIO", "off"))) {
      String user = strict.api.newUser().getString("api_key");
      Api.Response refused = strict.api.post("/v1/mcp-servers/", user, httpServer("loopback", null, Map.of()));
      assertEquals(422, refused.status(), refused::body);
      assertTrue(refused.detail().contains("non-public address (127.0.0.1)"), refused.body());
      assertEquals("[]", strict.api.get("/v1/mcp-servers/", user).body());
      // the admin may, and nobody may register a stdio server when they are off
      ok(strict.api.post("/v1/mcp-servers/", TestServer.ADMIN, httpServer("loopback", null, Map.of())));
      Api.Response off = strict.api.post("/v1/mcp-servers/", TestServer.ADMIN, stdioServer("local", Map.of()));
      assertEquals(403, off.status(), off::body);
      assertTrue(off.detail().contains("MCP_STDIO=off"), off.body());
    }
  }

  @Test
  void unreachableServerStaysRegisteredAndRefreshSaysWhy() {
    String key = API.newUser().getString("api_key");
    JsonObject down = new JsonObject().put("server_name", "down").put("config", new JsonObject()
        .put("mcp_server_type", "streamable_http").put("server_url", "http://127.0.0.1:1/mcp"));
    String id = ok(API.post("/v1/mcp-servers/", key, down)).getString("id");
    assertEquals("[]", API.get("/v1/mcp-servers/" + id + "/tools", key).body());
    Api.Response refresh = API.patch("/v1/mcp-servers/" + id + "/refresh", key, null);
    assertEquals(502, refresh.status(), refresh::body);
    assertEquals("could not reach MCP server 'down' at http://127.0.0.1:1/mcp", refresh.detail());
  }

  @Test
  void badRegistrationsSayWhy() {
    String key = API.newUser().getString("api_key");
    assertEquals(422, API.post("/v1/mcp-servers/", key, new JsonObject().put("server_name", "x")).status());
    Api.Response scheme = API.post("/v1/mcp-servers/", key, new JsonObject().put("server_name", "x")
        .put("config", new JsonObject().put("server_url", "file:///etc/passwd")));
    assertEquals(422, scheme.status(), scheme::body);
    assertTrue(scheme.detail().contains("http://"), scheme.body());
    Api.Response header = API.post("/v1/mcp-servers/", key, httpServer("x", null, Map.of("Host", "evil")));
    assertEquals(422, header.status(), header::body);
    Api.Response type = API.post("/v1/mcp-servers/", key, new JsonObject().put("server_name", "x")
        .put("config", new JsonObject().put("mcp_server_type", "websocket").put("server_url", http.url())));
    assertEquals(422, type.status(), type::body);
    assertEquals("[]", API.get("/v1/mcp-servers/", key).body());
  }
}
