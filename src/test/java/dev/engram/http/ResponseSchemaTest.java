package dev.engram.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.OpenApiSchemas;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.SocketFrames;
import dev.engram.testkit.SseStream;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Real answers of every API against the schemas of the server's own /openapi.json (JSON Schema 2020-12): a
 * representative walk through agents, blocks, messages (a blocking /v1 send and an /api send, with the scripted
 * model), runs, archival memory, folders and jobs, tools, Mem0, the chat API and the errors. Every answer goes through
 * the check (its route, its status and its body); the test then asserts which operations it reached. More answers are
 * checked by the test classes that use {@link TestServer#checkedApi()}.
 */
class ResponseSchemaTest {
  private final TestServer server = TestServer.shared();
  private final ScriptedLlm llm = TestServer.llm();
  private final OpenApiSchemas schemas = OpenApiSchemas.of(server.api);
  /** The operations ({@code "GET /v1/agents/{agent_id}"}) and statuses that answered, each checked. */
  private final Set<String> reached = new TreeSet<>();
  private final Api api = server.api.checked((method, path, r) -> {
    schemas.check(method, path, r);
    reached.add(method + " " + schemas.template(method, path) + " " + r.status());
  });
  private String key;

  @BeforeEach
  void user() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  private JsonObject ok(Api.Response r) {
    assertEquals(200, r.status(), r.body());
    return r.body().startsWith("{") ? r.json() : null;
  }

  private JsonArray okArray(Api.Response r) {
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body());
  }

  private static JsonObject userMessage(String text) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", text)));
  }

  @Test
  @DisplayName("Letta /v1: agents, blocks, a blocking send (every LettaMessage kind), history, runs, tools, archival,"
      + " folders, files and jobs answer as documented")
  void lettaAnswersAsDocumented() throws InterruptedException {
    JsonObject agent = ok(api.post("/v1/agents", key, new JsonObject().put("name", "schema-agent")
        .put("model", "openai/gpt-4").put("memory_blocks", new JsonArray()
            .add(new JsonObject().put("label", "human").put("value", "Name: Ada"))
            .add(new JsonObject().put("label", "persona").put("value", "A careful assistant.")))));
    String agentId = agent.getString("id");
    okArray(api.get("/v1/agents?limit=10", key));
    ok(api.get("/v1/agents/" + agentId, key));
    ok(api.patch("/v1/agents/" + agentId, key, new JsonObject().put("description", "checked")));
    ok(api.get("/v1/agents/count", key));
    ok(api.get("/v1/agents/" + agentId + "/context", key));

    JsonObject block = ok(api.post("/v1/blocks", key, new JsonObject().put("label", "notes").put("value", "v1")));
    ok(api.patch("/v1/blocks/" + block.getString("id"), key, new JsonObject().put("value", "v2")));
    ok(api.patch("/v1/agents/" + agentId + "/core-memory/blocks/attach/" + block.getString("id"), key, null));
    okArray(api.get("/v1/blocks/" + block.getString("id") + "/agents", key));
    okArray(api.get("/v1/agents/" + agentId + "/core-memory/blocks", key));
    ok(api.get("/v1/agents/" + agentId + "/core-memory/blocks/human", key));
    ok(api.get("/v1/agents/" + agentId + "/memory", key));

    // a step with a tool call, its return, the monologue and the answer: every kind of LettaMessage a send shows
    llm.enqueue(Step.toolCall("Noting the tea.", "core_memory_append", new JsonObject().put("name", "human")
            .put("content", "Likes tea.").put("request_heartbeat", true)),
        Step.sendMessage("Now I answer.", "Noted: you like tea!"));
    JsonObject sent = ok(api.post("/v1/agents/" + agentId + "/messages", key, userMessage("I like tea")));
    Set<String> kinds = sent.getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m).getString("message_type")).collect(Collectors.toSet());
    assertEquals(Set.of("reasoning_message", "tool_call_message", "tool_return_message", "assistant_message"), kinds);
    JsonArray history = okArray(api.get("/v1/agents/" + agentId + "/messages?limit=50", key));
    assertTrue(history.stream().anyMatch(m -> "user_message".equals(((JsonObject) m).getString("message_type"))));
    okArray(api.get("/v1/agents/" + agentId + "/messages?msg_object=true", key));
    okArray(api.get("/v1/agents/" + agentId + "/memory/messages", key));
    String runId = sent.getJsonObject("usage").getJsonArray("run_ids").getString(0);
    okArray(api.get("/v1/runs?agent_id=" + agentId, key));
    ok(api.get("/v1/runs/" + runId, key));
    okArray(api.get("/v1/runs/" + runId + "/messages", key));

    JsonArray tools = okArray(api.get("/v1/tools", key));
    String toolId = tools.getJsonObject(0).getString("id");
    ok(api.get("/v1/tools/" + toolId, key));
    assertEquals(200, api.get("/v1/tools/name/send_message", key).status());
    okArray(api.get("/v1/agents/" + agentId + "/tools", key));

    okArray(api.post("/v1/agents/" + agentId + "/archival-memory", key, new JsonObject().put("text",
        "Ada's favourite tea is oolong.")));
    okArray(api.get("/v1/agents/" + agentId + "/archival-memory", key));
    ok(api.get("/v1/agents/" + agentId + "/archival-memory/search?query=tea", key));

    JsonObject folder = ok(api.post("/v1/folders", key, new JsonObject().put("name", "schema-folder")));
    String folderId = folder.getString("id");
    JsonObject file = ok(api.upload("/v1/folders/" + folderId + "/upload", key, "file", "notes.md",
        "# Notes\nAda drinks oolong every morning.\n".getBytes(StandardCharsets.UTF_8)));
    for (int i = 0; i < 600 && !List.of("completed", "error").contains(file.getString("processing_status")); i++) {
      Thread.sleep(50);
      file = ok(api.get("/v1/folders/" + folderId + "/files/" + file.getString("id"), key));
    }
    assertEquals("completed", file.getString("processing_status"), file::encode);
    okArray(api.get("/v1/folders/" + folderId + "/files", key));
    ok(api.patch("/v1/agents/" + agentId + "/folders/attach/" + folderId, key, null));
    okArray(api.get("/v1/folders", key));
    okArray(api.get("/v1/jobs", key));
    okArray(api.get("/v1/sources/" + folderId + "/passages", key));

    ok(api.delete("/v1/agents/" + agentId, key));
    assertReached("POST /v1/agents 200", "POST /v1/agents/{agent_id}/messages 200", "GET /v1/runs/{run_id} 200",
        "GET /v1/agents/{agent_id}/messages 200", "POST /v1/folders/{folder_id}/upload 200",
        "GET /v1/agents/{agent_id}/archival-memory/search 200", "GET /v1/tools 200");
  }

  @Test
  @DisplayName("streams: each event of a /v1 stream (with token fragments), of a run's replay, of an /api stream and"
      + " each frame of the WebSocket fits the event schema its operation documents")
  void streamedEventsAsDocumented() throws Exception {
    String agentId = ok(api.post("/v1/agents", key, new JsonObject().put("name", "schema-streamer")
        .put("model", "openai/gpt-4"))).getString("id");
    llm.enqueue(Step.toolCall("Noting it.", "core_memory_append", new JsonObject().put("name", "human")
            .put("content", "Streams.").put("request_heartbeat", true)),
        Step.sendMessage("Answering.", "Streamed!"));
    String path = "/v1/agents/" + agentId + "/messages/stream";
    SseStream.Result stream = SseStream.post(api.base(), path, key, userMessage("stream please")
        .put("stream_tokens", true).put("include_pings", true), Map.of());
    assertEquals(200, stream.status(), stream.body());
    assertTrue(stream.types().containsAll(List.of("reasoning_message", "tool_call_message", "tool_return_message",
        "assistant_message", "stop_reason", "usage_statistics", "[DONE]")), () -> stream.types().toString());
    for (SseStream.Event e : stream.withData()) {
      assertNull(schemas.eventProblems("POST", path, e.data()));
    }
    String runId = stream.withData().stream().filter(e -> "usage_statistics".equals(e.type())).findFirst()
        .orElseThrow().json().getJsonArray("run_ids").getString(0);
    String replay = "/v1/runs/" + runId + "/stream";
    SseStream.Result replayed = SseStream.post(api.base(), replay, key, new JsonObject(), Map.of());
    assertEquals(200, replayed.status(), replayed.body());
    for (SseStream.Event e : replayed.withData()) {
      assertNull(schemas.eventProblems("POST", replay, e.data()));
    }

    String apiAgent = api.newAgent(key, "schema-api-streamer");
    llm.enqueue(Step.sendMessage("Hi.", "Hello over SSE"));
    String apiPath = "/api/agents/" + apiAgent + "/messages";
    List<String> events = api.stream(apiPath, key, new JsonObject().put("message", "hi").put("stream", true));
    assertEquals("[DONE]", events.get(events.size() - 1));
    for (String data : events) {
      assertNull(schemas.eventProblems("POST", apiPath, data));
    }
    // the WebSocket's frames
    llm.enqueue(Step.sendMessage("Hi again.", "Hello over the socket"));
    String wsPath = "/api/agents/" + apiAgent + "/ws";
    SocketFrames frames = new SocketFrames();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(URI.create(api.base().replace("http", "ws") + wsPath), frames).get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(new JsonObject().put("message", "hi").encode(), true).get(5, TimeUnit.SECONDS);
      JsonObject frame;
      int seen = 0;
      do {
        frame = frames.next();
        seen++;
        assertNull(schemas.eventProblems("GET", wsPath, frame.encode()));
      } while (!frame.containsKey("done") && !frame.containsKey("error"));
      assertEquals(Boolean.TRUE, frame.getBoolean("done"), frame::encode);
      assertTrue(seen >= 3, "frames " + seen);
      ws.sendText("not json", true).get(5, TimeUnit.SECONDS);
      assertNull(schemas.eventProblems("GET", wsPath, frames.next().encode()));
    } finally {
      ws.abort();
    }
    // and the event check can fail
    assertNotNull(schemas.eventProblems("GET", wsPath, "{\"done\": true}"));
    assertNotNull(schemas.eventProblems("POST", path, "{\"message_type\": \"reasoning_message\"}"));
    assertNotNull(schemas.eventProblems("POST", apiPath, "{\"status\": 1}"));
  }

  @Test
  @DisplayName("paused calls and token frames: a /v1 stream that stops for approval, the AgentState that waits, the"
      + " answer in the history, an /api stream's paused function_call and the WebSocket's token deltas fit the"
      + " document")
  void pausedCallsAndTokenFramesAsDocumented() throws Exception {
    String insert = "archival_memory_insert";
    Step saving = Step.toolCall("Saving.", insert, new JsonObject().put("content", "Ada likes oolong.")
        .put("request_heartbeat", true));
    String agentId = ok(api.post("/v1/agents", key, new JsonObject().put("name", "schema-careful")
        .put("model", "openai/gpt-4"))).getString("id");
    JsonObject state = ok(api.patch("/v1/agents/" + agentId + "/tools/approval/" + insert, key,
        new JsonObject().put("requires_approval", true)));
    assertEquals("requires_approval", state.getJsonArray("tool_rules").getJsonObject(0).getString("type"));
    llm.enqueue(saving);
    String path = "/v1/agents/" + agentId + "/messages/stream";
    SseStream.Result stream = SseStream.post(api.base(), path, key, userMessage("remember my tea")
        .put("stream_tokens", true), Map.of());
    assertEquals(200, stream.status(), stream.body());
    assertTrue(stream.types().contains("approval_request_message"), () -> stream.types().toString());
    for (SseStream.Event e : stream.withData()) {
      assertNull(schemas.eventProblems("POST", path, e.data()));
    }
    JsonObject pending = ok(api.get("/v1/agents/" + agentId, key)).getJsonObject("pending_approval");
    assertEquals("approval_request_message", pending.getString("message_type"), pending::encode);
    String callId = pending.getJsonObject("tool_call").getString("tool_call_id");
    llm.enqueue(Step.sendMessage("Saved.", "Noted."));
    ok(api.post("/v1/agents/" + agentId + "/messages", key, new JsonObject().put("messages", new JsonArray()
        .add(new JsonObject().put("type", "approval").put("approvals", new JsonArray().add(new JsonObject()
            .put("type", "approval").put("tool_call_id", callId).put("approve", true).put("reason", "fine")))))));
    JsonArray history = okArray(api.get("/v1/agents/" + agentId + "/messages?limit=50", key));
    assertTrue(history.encode().contains("approval_response_message"), history::encode);
    okArray(api.get("/v1/agents/" + agentId + "/messages?limit=50&msg_object=true", key));
    ok(api.get("/api/agents/" + agentId.substring("agent-".length()) + "/messages?start=0&count=50", key));

    String apiAgent = api.newAgent(key, "schema-api-careful");
    ok(api.patch("/v1/agents/" + apiAgent + "/tools/approval/" + insert, key,
        new JsonObject().put("requires_approval", true)));
    llm.enqueue(saving);
    String apiPath = "/api/agents/" + apiAgent + "/messages";
    List<String> events = api.stream(apiPath, key, new JsonObject().put("message", "remember").put("stream", true));
    assertTrue(events.stream().anyMatch(e -> e.contains("\"requires_approval\":true")), events::toString);
    for (String data : events) {
      assertNull(schemas.eventProblems("POST", apiPath, data));
    }

    String socketAgent = api.newAgent(key, "schema-socket-tokens");
    llm.enqueue(Step.sendMessage("Thinking it over.", "Hello in pieces"));
    String wsPath = "/api/agents/" + socketAgent + "/ws";
    SocketFrames frames = new SocketFrames();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(URI.create(api.base().replace("http", "ws") + wsPath), frames).get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(new JsonObject().put("message", "hi").put("stream_tokens", true).encode(), true)
          .get(5, TimeUnit.SECONDS);
      JsonObject frame;
      int deltas = 0;
      do {
        frame = frames.next();
        deltas += frame.containsKey("delta") ? 1 : 0;
        assertNull(schemas.eventProblems("GET", wsPath, frame.encode()));
      } while (!frame.containsKey("done") && !frame.containsKey("error"));
      assertEquals(Boolean.TRUE, frame.getBoolean("done"), frame::encode);
      assertTrue(deltas > 0, "no token frames");
    } finally {
      ws.abort();
    }
    assertNotNull(schemas.eventProblems("GET", wsPath, "{\"delta\": \"assistant_message\", \"text\": \"x\"}"));
    assertReached("PATCH /v1/agents/{agent_id}/tools/approval/{tool_name} 200", "GET /v1/agents/{agent_id} 200");
  }

  @Test
  @DisplayName("what the merges added: custom tools on /v1 and /api, a tool run, recall search, Mem0's validity"
      + " fields, the health probes, an admin token and the dashboard answer as documented")
  void mergedRoutesAnswerAsDocumented() {
    String source = "def shout(text: str) -> str:\n    \"\"\"Says the text louder.\n\n    Args:\n"
        + "        text: what to say\n    \"\"\"\n    print(\"shouting\", text)\n    return text.upper()\n";
    JsonObject tool = ok(api.post("/v1/tools", key, new JsonObject().put("source_code", source)
        .put("env", new JsonObject().put("SHOUT_TOKEN", "a-secret-of-some-length")).put("tags",
            new JsonArray().add("demo"))));
    assertEquals("custom", tool.getString("tool_type"));
    String toolId = tool.getString("id");
    ok(api.patch("/v1/tools/" + toolId, key, new JsonObject().put("description", "Shouts.")
        .put("default_requires_approval", false)));
    okArray(api.get("/v1/tools?tool_types=custom", key));
    ok(api.put("/v1/tools", key, new JsonObject().put("source_code", source.replace("upper", "title"))));
    String agentId = ok(api.post("/v1/agents", key, new JsonObject().put("name", "schema-toolsmith")
        .put("model", "openai/gpt-4").put("tools", new JsonArray().add("shout")))).getString("id");
    JsonObject run = ok(api.post("/v1/agents/" + agentId + "/tools/shout/run", key, new JsonObject()
        .put("args", new JsonObject().put("text", "hi"))));
    assertEquals("success", run.getString("status"), run::encode);
    assertEquals(200, api.delete("/v1/tools/" + toolId, key).status());

    ok(api.post("/api/tools", key, new JsonObject().put("source_code", source.replace("shout", "whisper"))));
    ok(api.get("/api/tools/whisper", key));
    ok(api.get("/api/tools", key));
    ok(api.delete("/api/tools/whisper", key));

    String apiAgent = api.newAgent(key, "schema-recall");
    llm.enqueue(Step.sendMessage("Greeting.", "Hello, oolong drinker!"));
    ok(api.post("/api/agents/" + apiAgent + "/messages", key, new JsonObject().put("message", "I like oolong")));
    assertFalse(ok(api.get("/api/agents/" + apiAgent + "/recall?query=oolong", key)).getJsonArray("messages")
        .isEmpty());

    JsonObject added = ok(api.post("/memories", key, new JsonObject().put("user_id", "ada").put("infer", false)
        .put("expiration_date", "2999-12-31").put("messages", "I drink oolong.")));
    String memoryId = added.getJsonArray("results").getJsonObject(0).getString("id");
    ok(api.put("/memories/" + memoryId, key, new JsonObject().put("expiration_date", "2998-01-01")));
    JsonObject one = ok(api.get("/memories/" + memoryId, key));
    assertNotNull(one.getString("expiration_date"), one::encode);
    ok(api.get("/memories?user_id=ada&include_superseded=true&as_of=2999-01-01", key));
    ok(api.post("/search", key, new JsonObject().put("query", "tea").put("user_id", "ada")
        .put("include_superseded", true)));

    ok(api.get("/health", null));
    ok(api.get("/health/live", null));
    ok(api.get("/health/ready", null));
    JsonObject token = ok(api.post("/api/auth/token", TestServer.ADMIN, null));
    assertEquals(Boolean.TRUE, token.getBoolean("admin"), token::encode);
    assertEquals(Boolean.FALSE, ok(api.post("/api/auth/token", key, null)).getBoolean("admin"));
    ok(api.get("/admin/dashboard", token.getString("token")));
    ok(api.get("/admin/dashboard", TestServer.ADMIN));
    assertEquals(401, api.get("/admin/dashboard", key).status());
    assertEquals(403, api.get("/admin/dashboard", ok(api.post("/api/auth/token", key, null)).getString("token"))
        .status());
    assertReached("POST /v1/tools 200", "PATCH /v1/tools/{tool_id} 200", "PUT /v1/tools 200",
        "DELETE /v1/tools/{tool_id} 200", "POST /v1/agents/{agent_id}/tools/{tool_name}/run 200",
        "POST /api/tools 200", "DELETE /api/tools/{tool_name} 200", "GET /api/agents/{agent_id}/recall 200",
        "GET /health/live 200", "GET /health/ready 200", "GET /admin/dashboard 200", "GET /admin/dashboard 403");
  }

  @Test
  @DisplayName("MemGPT /api and /admin: agents, memory, a blocking send, recall, archival and sources answer as"
      + " documented")
  void memgptAnswersAsDocumented() {
    String agentId = api.newAgent(key, "schema-api-agent");
    ok(api.get("/api/agents", key));
    ok(api.get("/api/agents/" + agentId + "/config", key));
    ok(api.get("/api/agents/" + agentId + "/memory", key));
    ok(api.post("/api/agents/" + agentId + "/memory", key, new JsonObject().put("human", "Name: Ada")));
    llm.enqueue(Step.sendMessage("Greeting.", "Hello Ada!"));
    JsonObject sent = ok(api.post("/api/agents/" + agentId + "/messages", key, new JsonObject().put("message", "hi")));
    assertFalse(sent.getJsonArray("messages").isEmpty());
    ok(api.get("/api/agents/" + agentId + "/messages?start=0&count=10", key));
    ok(api.get("/api/agents/" + agentId + "/messages-cursor?limit=10", key));
    ok(api.post("/api/agents/" + agentId + "/archival", key, new JsonObject().put("content", "Ada likes oolong.")));
    ok(api.get("/api/agents/" + agentId + "/archival?query=oolong", key));
    ok(api.get("/api/agents/" + agentId + "/archival/all", key));
    JsonObject source = ok(api.post("/api/sources", key, new JsonObject().put("name", "schema-source")));
    ok(api.get("/api/sources", key));
    ok(api.post("/api/sources/" + source.getString("id") + "/attach?agent_id=" + agentId, key, null));
    ok(api.get("/api/humans", key));
    ok(api.get("/api/presets", key));
    ok(api.get("/api/tools", key));
    ok(api.get("/api/config", key));
    ok(api.post("/api/auth/token", key, null));
    ok(api.get("/api/models", null));
    ok(api.get("/admin/users", TestServer.ADMIN));
    ok(api.delete("/api/agents/" + agentId, key));
    assertReached("POST /api/agents/{agent_id}/messages 200", "GET /api/agents/{agent_id}/config 200",
        "GET /api/agents/{agent_id}/archival 200", "GET /admin/users 200");
  }

  @Test
  @DisplayName("Mem0 and the chat API: add, list, get, history, update, search, delete, sessions and a chat answer"
      + " as documented")
  void memoryServiceAnswersAsDocumented() {
    JsonObject added = ok(api.post("/memories", key, new JsonObject().put("user_id", "ada").put("infer", false)
        .put("metadata", new JsonObject().put("topic", "tea")).put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "I drink oolong every morning.")))));
    String memoryId = added.getJsonArray("results").getJsonObject(0).getString("id");
    ok(api.get("/memories?user_id=ada", key));
    JsonObject one = ok(api.get("/memories/" + memoryId, key));
    assertTrue(one.containsKey("score") && one.getValue("score") == null, one::encode);
    ok(api.put("/memories/" + memoryId, key, new JsonObject().put("text", "I drink green tea every morning.")));
    okArray(api.get("/memories/" + memoryId + "/history", key));
    JsonObject found = ok(api.post("/search", key, new JsonObject().put("query", "tea").put("user_id", "ada")));
    assertFalse(found.getJsonArray("results").isEmpty());

    Api.Response session = api.post("/sessions", key, new JsonObject().put("user_id", "ada")
        .put("session_name", "mornings"));
    assertEquals(201, session.status(), session.body());
    String sessionId = session.json().getString("session_id");
    llm.enqueue(Step.text("Green tea, every morning."));
    ok(api.post("/chat", key, new JsonObject().put("message", "What do I drink?").put("session_id", sessionId)
        .put("user_id", "ada")));
    ok(api.get("/sessions/" + sessionId, key));
    ok(api.post("/search", key, new JsonObject().put("query", "drink").put("session_id", sessionId)
        .put("user_id", "ada").put("limit", 5)));
    ok(api.delete("/memories/" + memoryId, key));
    ok(api.delete("/sessions/" + sessionId, key));
    ok(api.get("/health", null));
    assertReached("POST /memories 200", "GET /memories/{memory_id}/history 200", "POST /search 200",
        "POST /sessions 201", "POST /chat 200");
  }

  @Test
  @DisplayName("errors are documented {detail} answers: 400, 401, 403, 404, 405, 422 on each API")
  void errorsAnswerAsDocumented() {
    String unknown = "00000000-0000-4000-8000-000000000000";
    assertEquals(404, api.get("/v1/agents/agent-" + unknown, key).status());
    assertEquals(404, api.get("/api/agents/" + unknown + "/config", key).status());
    assertEquals(404, api.get("/memories/" + unknown, key).status());
    assertEquals(404, api.get("/sessions/" + unknown, key).status());
    assertEquals(422, api.post("/v1/blocks", key, new JsonObject().put("value", 42)).status());
    assertEquals(422, api.post("/api/agents/" + unknown + "/command", key, new JsonObject()).status());
    assertEquals(400, api.post("/v1/agents", key, "{not json").status());
    assertEquals(400, api.post("/memories", key, new JsonObject().put("messages", "hi")).status());
    assertEquals(401, api.get("/v1/agents", null).status());
    assertEquals(403, api.get("/v1/agents", "sk-" + "0".repeat(48)).status());
    assertEquals(401, api.get("/admin/users", key).status());
    assertEquals(405, api.put("/v1/agents", key, new JsonObject()).status());
    assertEquals(404, api.get("/docs/nothing.js", null).status());
    assertReached("GET /v1/agents/{agent_id} 404", "POST /v1/blocks 422", "POST /memories 400",
        "GET /v1/agents 401", "GET /v1/agents 403");
  }

  @Test
  @DisplayName("the check refuses an answer that does not fit: a field of the wrong type, a missing required field, an"
      + " error without detail")
  void theCheckCanFail() {
    JsonObject block = ok(api.post("/v1/blocks", key, new JsonObject().put("label", "x").put("value", "y")));
    String path = "/v1/blocks/" + block.getString("id");
    assertNull(schemas.problems("GET", path, 200, block.encode()));
    assertNotNull(schemas.problems("GET", path, 200, block.copy().put("limit", "many").encode()));
    JsonObject noId = block.copy();
    noId.remove("id");
    assertNotNull(schemas.problems("GET", path, 200, noId.encode()));
    assertNotNull(schemas.problems("GET", path, 404, "{\"error\": \"no\"}"));
    assertNotNull(schemas.problems("GET", "/v1/no-such-route", 200, "{}"));
    JsonObject reasoning = new JsonObject().put("id", "message-1").put("date", "2026-01-01T00:00:00Z")
        .put("message_type", "reasoning_message").put("otid", "o");
    String response = new JsonObject().put("messages", new JsonArray().add(reasoning))
        .put("stop_reason", new JsonObject().put("message_type", "stop_reason").put("stop_reason", "end_turn"))
        .put("usage", new JsonObject().put("message_type", "usage_statistics").put("completion_tokens", 1)
            .put("prompt_tokens", 1).put("total_tokens", 2).put("step_count", 1)).encode();
    // a reasoning_message without its reasoning fits no LettaMessage variant
    assertNotNull(schemas.problems("POST", "/v1/agents/agent-1/messages", 200, response));
    assertNull(schemas.problems("POST", "/v1/agents/agent-1/messages", 200,
        response.replace("\"otid\":\"o\"", "\"otid\":\"o\",\"reasoning\":\"thinking\"")));
  }

  private void assertReached(String... operations) {
    Set<String> missing = new TreeSet<>(List.of(operations));
    missing.removeAll(reached);
    assertTrue(missing.isEmpty(), () -> "not reached: " + missing + "; reached " + reached);
  }
}
