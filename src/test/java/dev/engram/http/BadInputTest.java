package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static dev.engram.http.Problems.assertOk;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bad requests are refused at the edge with the right status and a detail naming the problem, and refused requests
 * leave no trace: no agent, no message, no memory change, and no call to the model.
 */
class BadInputTest {
  private static final int LIMIT = 1024 * 1024;

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private String key;
  private String agentId;
  private JsonObject memoryBefore;
  private JsonArray messagesBefore;
  private String nameBefore;

  @BeforeEach
  void setUp() {
    TestServer.llm().reset();
    key = api.newUser().getString("api_key");
    agentId = api.newAgent(key, "target");
    memoryBefore = api.get("/api/agents/" + agentId + "/memory", key).json();
    messagesBefore = api.messages(agentId, key, 1000);
    nameBefore = "target";
  }

  private String messages() {
    return "/api/agents/" + agentId + "/messages";
  }

  private String memory() {
    return "/api/agents/" + agentId + "/memory";
  }

  private String rename() {
    return "/api/agents/" + agentId + "/rename";
  }

  /** The user still has exactly the one agent, unchanged, and the model was never asked anything. */
  private void assertNothingStored() {
    JsonObject list = api.get("/api/agents", key).json();
    assertEquals(1, list.getInteger("num_agents"), list.encode());
    assertEquals(nameBefore, list.getJsonArray("agents").getJsonObject(0).getString("name"));
    assertEquals(memoryBefore, api.get(memory(), key).json());
    assertEquals(messagesBefore, api.messages(agentId, key, 1000));
    assertEquals(0, TestServer.llm().requestCount(), () -> "the model was called: " + TestServer.llm().requests());
  }

  @Test
  @DisplayName("malformed JSON is 400 with a detail about JSON on create, send, memory and rename")
  void malformedJson() {
    for (String body : List.of("{\"message\": \"hi\"", "{'message': 'hi'}", "not json at all", "[1, 2]", "\"hi\"")) {
      assertError(api.post("/api/agents", key, body), 400, "JSON");
      assertError(api.post(messages(), key, body), 400, "JSON");
      assertError(api.post(memory(), key, body), 400, "JSON");
      assertError(api.patch(rename(), key, body), 400, "JSON");
    }
    assertNothingStored();
  }

  @Test
  @DisplayName("a missing body is 400 with a detail about JSON on send, memory and rename")
  void missingBody() {
    assertError(api.post("/api/agents", key, null), 400, "JSON");
    assertError(api.post(messages(), key, null), 400, "JSON");
    assertError(api.post(memory(), key, null), 400, "JSON");
    assertError(api.patch(rename(), key, null), 400, "JSON");
    assertNothingStored();
  }

  @Test
  @DisplayName("fields of the wrong type are 422 with a detail naming the field")
  void wrongTypes() {
    assertError(api.post("/api/agents", key, new JsonObject().put("config", "x")), 422, "config");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject().put("name", 7))), 422,
        "name");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject().put("name", "n")
        .put("human", 3))), 422, "human");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject().put("name", "n")
        .put("persona", new JsonArray()))), 422, "persona");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject().put("name", "n")
        .put("preset", false))), 422, "preset");

    assertError(api.post(messages(), key, new JsonObject().put("message", 5)), 422, "message");
    assertError(api.post(messages(), key, new JsonObject().put("message", "hi").put("stream", "yes")), 422, "stream");
    assertError(api.post(messages(), key, new JsonObject().put("message", "hi").put("role", 1)), 422, "role");
    assertError(api.post(messages(), key, new JsonObject().put("message", new JsonObject())), 422, "message");

    assertError(api.post(memory(), key, new JsonObject().put("human", 3)), 422, "human");
    assertError(api.post(memory(), key, new JsonObject().put("persona", new JsonObject())), 422, "persona");
    // a valid block next to an invalid one is not applied either
    assertError(api.post(memory(), key, new JsonObject().put("persona", "fine").put("human", 3)), 422, "human");

    assertError(api.patch(rename(), key, new JsonObject().put("agent_name", 5)), 422, "agent_name");
    assertError(api.post("/api/agents/" + agentId + "/command", key, new JsonObject().put("command", 5)), 422,
        "command");
    assertNothingStored();
  }

  @Test
  @DisplayName("missing required fields are 422 with a detail naming the field")
  void missingFields() {
    assertError(api.post("/api/agents", key, new JsonObject()), 422, "config");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject())), 422, "name");
    assertError(api.post("/api/agents", key, new JsonObject().put("config", new JsonObject().put("name", "  "))),
        422, "name");
    assertError(api.post(messages(), key, new JsonObject()), 422, "message");
    assertError(api.post(messages(), key, new JsonObject().put("stream", true).put("role", "user")), 422, "message");
    assertError(api.patch(rename(), key, new JsonObject()), 422, "agent_name");
    assertError(api.post("/api/agents/" + agentId + "/command", key, new JsonObject()), 422, "command");
    assertNothingStored();
  }

  @Test
  @DisplayName("an empty or whitespace-only message and an unknown role are 422, streaming or not")
  void emptyMessageAndBadRole() {
    for (boolean stream : List.of(false, true)) {
      for (String text : List.of("", " ", "  \n\t ")) {
        assertError(api.post(messages(), key, new JsonObject().put("message", text).put("stream", stream)), 422,
            "message");
      }
      assertError(api.post(messages(), key, new JsonObject().put("message", "abracadabra").put("role", "wizard")
          .put("stream", stream)), 422, "role", "wizard");
    }
    assertNothingStored();
  }

  @Test
  @DisplayName("a body one byte over 1 MiB is 413 with a detail on create, send, memory and rename")
  void bodyTooLarge() {
    for (String field : List.of("message", "human", "agent_name")) {
      String body = jsonOfSize(field, LIMIT + 1);
      assertEquals(LIMIT + 1, body.getBytes(StandardCharsets.UTF_8).length);
      assertError(api.post(messages(), key, body), 413, "larger than the limit");
      assertError(api.post(memory(), key, body), 413, "larger than the limit");
      assertError(api.patch(rename(), key, body), 413, "larger than the limit");
    }
    String create = "{\"config\":{\"name\":\"big\",\"persona\":\"";
    create = create + "p".repeat(LIMIT + 1 - create.length() - 3) + "\"}}";
    assertEquals(LIMIT + 1, create.getBytes(StandardCharsets.UTF_8).length);
    assertError(api.post("/api/agents", key, create), 413, "larger than the limit");
    assertNothingStored();

    // exactly at the limit the body is read, and the request fails on its content instead
    assertError(api.post(memory(), key, jsonOfSize("human", LIMIT)), 422, "2000 character limit");
    assertNothingStored();
  }

  @Test
  @DisplayName("unknown agent ids are 404 on every agent route, and the model is not called")
  void unknownAgent() {
    for (String id : List.of(UUID.randomUUID().toString(), "no-such-agent")) {
      String base = "/api/agents/" + id;
      assertError(api.post(base + "/messages", key, new JsonObject().put("message", "hello?")), 404, id);
      assertError(api.post(base + "/messages", key, new JsonObject().put("message", "hello?").put("stream", true)),
          404, id);
      assertError(api.get(base + "/messages?start=0&count=5", key), 404, id);
      assertError(api.get(base + "/messages-cursor?limit=5", key), 404, id);
      assertError(api.get(base + "/memory", key), 404, id);
      assertError(api.post(base + "/memory", key, new JsonObject().put("human", "x")), 404, id);
      assertError(api.patch(base + "/rename", key, new JsonObject().put("agent_name", "x")), 404, id);
      assertError(api.post(base + "/command", key, new JsonObject().put("command", "/memory")), 404, id);
      assertError(api.get(base + "/config", key), 404, id);
      assertError(api.delete(base, key), 404, id);
    }
    assertNothingStored();
  }

  @Test
  @DisplayName("bad paging parameters are 422 with a detail naming the parameter")
  void badQueryParameters() {
    assertError(api.get(messages() + "?start=0&count=abc", key), 422, "count", "abc");
    assertError(api.get(messages() + "?start=zero&count=5", key), 422, "start");
    assertError(api.get(messages() + "?start=-1&count=5", key), 422, "start");
    assertError(api.get(messages() + "?start=0&count=0", key), 422, "count");
    assertError(api.get("/api/agents/" + agentId + "/messages-cursor?limit=abc", key), 422, "limit");
    assertError(api.get("/api/agents/" + agentId + "/messages-cursor?limit=-2", key), 422, "limit");
    // a control character is not a space around the number (String.trim() used to drop it: "%015" read as 5)
    assertError(api.get(messages() + "?start=%010&count=5", key), 422, "start");
    assertError(api.get("/api/agents/" + agentId + "/messages-cursor?limit=%1F5", key), 422, "limit");
    assertEquals(200, api.get(messages() + "?start=%200&count=5%20", key).status(), "spaces around are fine");
    assertNothingStored();
  }

  @Test
  @DisplayName("headers over 8 KiB answer 431, a URL over 8 KiB 414 and a malformed head 400, each with a JSON"
      + " detail, and the connection is closed")
  void oversizedHeadersAndUrl() {
    int port = TestServer.shared().port();
    try (SocketHttp socket = new SocketHttp(port)) {
      socket.head("GET /api/agents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key + "\r\nX-Padding: "
          + "p".repeat(9_000));
      assertHeadError(socket, 431, "header", "8192");
    }
    try (SocketHttp socket = new SocketHttp(port)) {
      socket.head("GET /api/agents/" + agentId + "/archival?query=" + "q".repeat(9_000)
          + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key);
      assertHeadError(socket, 414, "URL", "8192");
    }
    try (SocketHttp socket = new SocketHttp(port)) {
      socket.head("GET /api/agents HTTP/1.1\r\nHost: localhost\r\nA header without a colon");
      assertHeadError(socket, 400, "Malformed HTTP request");
    }
    assertNothingStored();
  }

  @Test
  @DisplayName("a request target that is not a path (GET ?a=1, GET *) answers 400 with a detail, not 500")
  void targetsThatAreNotPaths() {
    for (String target : List.of("?a%zz=1", "?a=1", "*")) {
      try (SocketHttp socket = new SocketHttp(TestServer.shared().port())) {
        socket.head("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key);
        assertHeadError(socket, 400, "path starting with '/'");
      }
    }
  }

  private static void assertHeadError(SocketHttp socket, int status, String... fragments) {
    SocketHttp.Reply reply = socket.read(java.time.Duration.ofSeconds(10));
    assertEquals(status, reply.status(), reply::body);
    assertTrue(String.valueOf(reply.header("content-type")).startsWith("application/json"), reply.headers()::toString);
    String detail = reply.json().getString("detail");
    for (String fragment : fragments) {
      assertTrue(detail.contains(fragment), () -> "detail does not mention '" + fragment + "': " + detail);
    }
    assertTrue(socket.closedWithin(java.time.Duration.ofSeconds(10)), "the connection was kept open");
  }

  @Test
  @DisplayName("a malformed percent-escape in a path or query answers 400 with a detail")
  void malformedEscapes() {
    for (String path : List.of("/api/agents/%/config", "/memories/%zz", "/api/agents/" + agentId + "/messages%",
        "/api/agents?x=%zz", "/memories?user_id=%g1")) {
      try (SocketHttp socket = new SocketHttp(TestServer.shared().port())) {
        socket.head("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key);
        SocketHttp.Reply reply = socket.read(java.time.Duration.ofSeconds(10));
        assertEquals(400, reply.status(), () -> path + ": " + reply.body());
        assertTrue(reply.json().getString("detail").contains("percent-escape"), reply::body);
      }
    }
    assertNothingStored();
  }

  @Test
  @DisplayName("a wrong method answers 405 with an Allow header, not 400")
  void wrongMethod() {
    Api.Response r = api.put(messages(), key, new JsonObject().put("message", "hi"));
    assertError(r, 405, "Method Not Allowed");
    assertEquals("GET, POST", r.headers().firstValue("allow").orElse(null));
    Api.Response config = api.delete("/api/agents/" + agentId + "/config", key);
    assertError(config, 405, "Method Not Allowed");
    assertEquals("GET", config.headers().firstValue("allow").orElse(null));
    assertNothingStored();
  }

  /** {@code {"<field>":"xxx..."}} of exactly {@code size} bytes. */
  private static String jsonOfSize(String field, int size) {
    String head = "{\"" + field + "\":\"";
    String tail = "\"}";
    return head + "x".repeat(size - head.length() - tail.length()) + tail;
  }

  @Test
  @DisplayName("after all that, a well-formed send still works")
  void validSendStillWorks() {
    Api.Response r = api.post(messages(), key, new JsonObject().put("message", "a fine message"));
    assertOk(r);
    assertEquals(1, TestServer.llm().requestCount());
  }
}
