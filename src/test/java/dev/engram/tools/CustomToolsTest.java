package dev.engram.tools;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Users' own tools through HTTP on a real server with the sandbox: created on /v1 and /api, attached to agents, called
 * by the scripted model, their return, stdout and stderr seen in the stream and in recall; bad sources and schemas
 * refused with nothing stored; arguments checked against the schema; secrets masked; other users' tools invisible.
 */
class CustomToolsTest {
  static final String SHOUT = """
      def shout(text: str) -> str:
          \"\"\"Says the text louder.

          Args:
              text: What to say.
          \"\"\"
          print("shouting", text)
          return text.upper() + "!"
      """;

  private final Api api = TestServer.shared().checkedApi();
  private final ScriptedLlm llm = TestServer.llm();
  private String key;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  static JsonObject created(Api.Response r) {
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  /** An agent with the MemGPT tools and {@code tools}, created on /v1. */
  static String agentWith(Api api, String key, String... tools) {
    JsonObject body = new JsonObject().put("name", "toolsmith").put("model", "openai/gpt-4")
        .put("memory_blocks", new JsonArray().add(new JsonObject().put("label", "persona").put("value", "I help."))
            .add(new JsonObject().put("label", "human").put("value", "Unknown.")))
        .put("tools", new JsonArray(List.of(tools)));
    return created(api.post("/v1/agents/", key, body)).getString("id");
  }

  /** A blocking /v1 send; its messages. */
  static JsonArray sendV1(Api api, String agentId, String key, String text) {
    JsonObject body = new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", text)));
    return created(api.post("/v1/agents/" + agentId + "/messages", key, body)).getJsonArray("messages");
  }

  static JsonObject toolReturn(JsonArray messages) {
    for (Object o : messages) {
      JsonObject m = (JsonObject) o;
      if ("tool_return_message".equals(m.getString("message_type"))) {
        return m;
      }
    }
    throw new AssertionError("no tool return in " + messages.encode());
  }

  @Test
  @DisplayName("a custom tool is created, attached at creation, called by the model; its return and stdout show on /v1")
  void createAttachCall() {
    JsonObject tool = created(api.post("/v1/tools/", key, new JsonObject().put("source_code", SHOUT)
        .put("tags", new JsonArray().add("demo"))));
    assertEquals("shout", tool.getString("name"));
    assertEquals("custom", tool.getString("tool_type"));
    assertEquals("Says the text louder.", tool.getString("description"));
    assertEquals(50000, tool.getInteger("return_char_limit"));
    assertTrue(tool.getString("id").startsWith("tool-"), tool.getString("id"));
    JsonObject params = tool.getJsonObject("json_schema").getJsonObject("parameters");
    assertEquals("string", params.getJsonObject("properties").getJsonObject("text").getString("type"));
    assertEquals(tool, created(api.get("/v1/tools/" + tool.getString("id"), key)));
    assertEquals("\"" + tool.getString("id") + "\"", api.get("/v1/tools/name/shout", key).body());
    assertEquals(1, new JsonArray(api.get("/v1/tools/?tool_types=custom", key).body()).size());

    String agent = agentWith(api, key, "shout");
    llm.enqueue(Step.toolCall("Let me shout.", "shout", new JsonObject().put("text", "hello")
        .put("request_heartbeat", true)), Step.sendMessage(null, "Done."));
    JsonObject ret = toolReturn(sendV1(api, agent, key, "shout hello"));
    assertEquals("HELLO!", ret.getString("tool_return"));
    assertEquals("success", ret.getString("status"));
    assertEquals(new JsonArray().add("shouting hello\n"), ret.getJsonArray("stdout"));
    assertEquals(new JsonArray().add("shouting hello\n"), ret.getJsonArray("tool_returns").getJsonObject(0)
        .getJsonArray("stdout"));
    // the run's stored events replay the same return, stdout included
    String run = ret.getString("run_id");
    JsonObject replayed = api.stream("/v1/runs/" + run + "/stream", key, new JsonObject()).stream()
        .filter(d -> d.startsWith("{")).map(JsonObject::new)
        .filter(m -> "tool_return_message".equals(m.getString("message_type"))).findFirst().orElseThrow();
    assertEquals(ret.getJsonArray("stdout"), replayed.getJsonArray("stdout"));
    assertEquals("HELLO!", replayed.getString("tool_return"));
    // the model was offered the tool, with request_heartbeat as Letta adds it
    JsonObject offered = llm.requests().get(0).getJsonArray("tools").stream().map(t -> (JsonObject) t)
        .map(t -> t.getJsonObject("function")).filter(f -> "shout".equals(f.getString("name"))).findFirst()
        .orElseThrow();
    assertTrue(offered.getJsonObject("parameters").getJsonObject("properties").containsKey("request_heartbeat"));
    // the model's next input holds the return
    JsonArray sent = llm.requests().get(1).getJsonArray("messages");
    assertTrue(sent.encode().contains("HELLO!"), sent.encode());
    // in recall, as Letta's history
    JsonArray history = new JsonArray(api.get("/v1/agents/" + agent + "/messages?limit=50", key).body());
    assertEquals("HELLO!", toolReturn(history).getString("tool_return"));

    // run outside a step (Letta's agents.tools.run): its ToolExecutionResult
    JsonObject direct = created(api.post("/v1/agents/" + agent + "/tools/shout/run", key, new JsonObject()
        .put("args", new JsonObject().put("text", "direct"))));
    assertEquals("success", direct.getString("status"));
    assertEquals("DIRECT!", direct.getString("func_return"));
    assertEquals(new JsonArray().add("shouting direct\n"), direct.getJsonArray("stdout"));
    assertEquals("error", created(api.post("/v1/agents/" + agent + "/tools/shout/run", key, new JsonObject()
        .put("args", new JsonObject()))).getString("status"));
    assertEquals(404, api.post("/v1/agents/" + agent + "/tools/shout/run", api.newUser().getString("api_key"),
        new JsonObject()).status());

    // a new source is the new behaviour at the next run
    JsonObject updated = created(api.patch("/v1/tools/" + tool.getString("id"), key, new JsonObject()
        .put("source_code", SHOUT.replace("text.upper() + \"!\"", "text.lower() + \"?\""))));
    assertEquals("shout", updated.getString("name"));
    llm.enqueue(Step.toolCall(null, "shout", new JsonObject().put("text", "AGAIN").put("request_heartbeat", true)),
        Step.sendMessage(null, "Done."));
    assertEquals("again?", toolReturn(sendV1(api, agent, key, "again")).getString("tool_return"));

    // deleting it detaches it from the agent
    Api.Response deleted = api.delete("/v1/tools/" + tool.getString("id"), key);
    assertEquals(200, deleted.status(), deleted.body());
    assertEquals(404, api.get("/v1/tools/" + tool.getString("id"), key).status());
    List<String> names = new JsonArray(api.get("/v1/agents/" + agent + "/tools?limit=50", key).body()).stream()
        .map(t -> ((JsonObject) t).getString("name")).toList();
    assertFalse(names.contains("shout"), names.toString());
  }

  @Test
  @DisplayName("arguments that break the tool's schema are a failed return and a failure heartbeat; the tool never runs")
  void schemaInvalidArguments() {
    created(api.post("/v1/tools/", key, new JsonObject().put("source_code", SHOUT)));
    String agent = agentWith(api, key, "shout");
    llm.enqueue(Step.toolCall(null, "shout", new JsonObject().put("text", 42).put("request_heartbeat", true)),
        Step.sendMessage(null, "Sorry."));
    JsonObject ret = toolReturn(sendV1(api, agent, key, "shout a number"));
    assertEquals("error", ret.getString("status"));
    assertTrue(ret.getString("tool_return").contains("integer found, string expected"), ret.encode());
    assertNull(ret.getValue("stdout"), "the tool did not run");
    String next = llm.requests().get(1).getJsonArray("messages").encode();
    assertTrue(next.contains("Function call failed"), next);
  }

  @Test
  @DisplayName("a source that is not one function, a bad schema, a built-in name: refused with why, nothing stored")
  void badToolsAreRefused() {
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code", "def broken(:\n  pass")), 400,
        "does not parse");
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code", "x = 1")), 400, "no function");
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code", "def a():\n  pass\ndef b():\n  pass")),
        400, "2 top-level functions");
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code", "def f(x):\n  return x")), 400,
        "type annotation");
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code", "def f(x):\n  return x")
        .put("json_schema", new JsonObject().put("name", "f").put("parameters", new JsonObject().put("type", "object")
            .put("properties", new JsonObject().put("x", new JsonObject().put("type", "strng")))))), 422,
        "not a valid JSON schema");
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code", "def f(x):\n  return x")
        .put("json_schema", new JsonObject().put("name", "g"))), 422, "not the name of the source's function");
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code",
        "def send_message(message: str):\n  \"\"\"Says.\n\n  Args:\n    message: it.\n  \"\"\"\n  return 1")), 409,
        "built-in");
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code", SHOUT).put("allow_network", true)),
        422, "TOOL_ALLOW_NETWORK");
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code", SHOUT).put("env",
        new JsonObject().put("BAD NAME", "x"))), 422, "environment variable name");
    assertEquals(0, new JsonArray(api.get("/v1/tools/?tool_types=custom", key).body()).size());

    // an explicit schema is taken as given (no docstring needed) once the source defines its function
    JsonObject explicit = created(api.post("/v1/tools/", key, new JsonObject().put("source_code",
        "def twice(n):\n  return n * 2").put("json_schema", new JsonObject().put("name", "twice")
        .put("description", "Doubles.").put("parameters", new JsonObject().put("type", "object").put("properties",
            new JsonObject().put("n", new JsonObject().put("type", "integer"))).put("required",
            new JsonArray().add("n"))))));
    assertEquals("Doubles.", explicit.getString("description"));
    // the same name again is a conflict; the upsert replaces it
    assertRefused(api.post("/v1/tools/", key, new JsonObject().put("source_code", "def twice(n):\n  return n")
        .put("json_schema", explicit.getJsonObject("json_schema"))), 409, "already exists");
    JsonObject upserted = created(api.put("/v1/tools/", key, new JsonObject().put("source_code",
        "def twice(n):\n  return n + n").put("json_schema", explicit.getJsonObject("json_schema"))));
    assertEquals(explicit.getString("id"), upserted.getString("id"));
    assertTrue(upserted.getString("source_code").contains("n + n"));
  }

  @Test
  @DisplayName("a tool's environment variable reaches it, is masked in every view, and survives a masked round trip")
  void envVarsAreSecrets() {
    String secret = "tool-secret-value-12345678";
    JsonObject tool = created(api.post("/v1/tools/", key, new JsonObject().put("source_code", """
        import os

        def token_tail(n: int) -> str:
            \"\"\"The last characters of the token, and whether the server's secrets show.

            Args:
                n: How many characters.
            \"\"\"
            leaked = [k for k in os.environ if k.startswith(("ENGRAM", "MEMGPT", "OPENAI", "API_KEY"))]
            return os.environ["API_TOKEN"][-n:] + " " + str(leaked)
        """).put("env", new JsonObject().put("API_TOKEN", secret))));
    assertEquals("****5678", tool.getJsonObject("env").getString("API_TOKEN"));
    assertFalse(tool.encode().contains(secret));
    assertFalse(api.get("/api/tools", key).body().contains(secret));
    // sent back masked (an edit form), the secret stays
    created(api.patch("/v1/tools/" + tool.getString("id"), key, new JsonObject().put("env", tool.getJsonObject("env"))
        .put("description", "Token tail.")));
    String agent = agentWith(api, key, "token_tail");
    llm.enqueue(Step.toolCall(null, "token_tail", new JsonObject().put("n", 8).put("request_heartbeat", true)),
        Step.sendMessage(null, "ok"));
    assertEquals("12345678 []", toolReturn(sendV1(api, agent, key, "tail")).getString("tool_return"));
  }

  @Test
  @DisplayName("another user's tool is 404 on every route and never listed; their agents cannot attach it")
  void isolation() {
    JsonObject tool = created(api.post("/v1/tools/", key, new JsonObject().put("source_code", SHOUT)));
    String id = tool.getString("id");
    String other = api.newUser().getString("api_key");
    assertEquals(404, api.get("/v1/tools/" + id, other).status());
    assertEquals(404, api.patch("/v1/tools/" + id, other, new JsonObject().put("description", "x")).status());
    assertEquals(404, api.delete("/v1/tools/" + id, other).status());
    assertEquals(404, api.get("/v1/tools/name/shout", other).status());
    assertEquals(404, api.get("/api/tools/shout", other).status());
    assertEquals(404, api.delete("/api/tools/shout", other).status());
    assertFalse(api.get("/v1/tools/?limit=100", other).body().contains("shout"));
    assertFalse(api.get("/api/tools", other).body().contains("shout"));
    String theirs = agentWith(api, other);
    assertEquals(404, api.patch("/v1/agents/" + theirs + "/tools/attach/" + id, other, null).status());
    assertEquals(422, api.post("/v1/agents/", other, new JsonObject().put("tools", new JsonArray().add("shout")))
        .status());
    assertEquals(404, api.post("/v1/agents/", other, new JsonObject().put("tool_ids", new JsonArray().add(id)))
        .status());
    // the owner still has it
    assertEquals(200, api.get("/v1/tools/" + id, key).status());
  }

  @Test
  @DisplayName("the MemGPT /api/tools: create by source, list, get, update:true replaces, delete; the agent calls it")
  void apiTools() {
    JsonObject body = new JsonObject().put("json_schema", new JsonObject().put("name", "shout"))
        .put("source_code", SHOUT).put("source_type", "python").put("tags", new JsonArray().add("loud"));
    JsonObject tool = created(api.post("/api/tools", key, body));
    assertEquals("shout", tool.getString("name"));
    assertFalse(tool.getString("id").startsWith("tool-"), "/api ids are bare");
    assertEquals(new JsonArray().add("loud"), tool.getJsonArray("tags"));
    assertRefused(api.post("/api/tools", key, body), 409, "already exists");
    JsonObject replaced = created(api.post("/api/tools", key, body.copy().put("update", true)
        .put("source_code", SHOUT.replace("+ \"!\"", "+ \"!!\""))));
    assertEquals(tool.getString("id"), replaced.getString("id"));
    assertEquals(replaced, created(api.get("/api/tools/shout", key)));
    assertTrue(api.get("/api/tools", key).json().getJsonArray("tools").stream()
        .anyMatch(t -> "shout".equals(((JsonObject) t).getString("name"))));

    String agent = agentWith(api, key, "shout");
    llm.enqueue(Step.toolCall(null, "shout", new JsonObject().put("text", "hey").put("request_heartbeat", true)),
        Step.sendMessage(null, "ok"));
    Api.Response sent = api.post("/api/agents/" + bare(agent) + "/messages", key,
        new JsonObject().put("message", "shout").put("role", "user"));
    assertEquals(200, sent.status(), sent.body());
    assertTrue(sent.body().contains("HEY!!"), sent.body());

    assertEquals(200, api.delete("/api/tools/shout", key).status());
    assertEquals(404, api.get("/api/tools/shout", key).status());
  }

  @Test
  @DisplayName("the official Letta SDK creates a tool, attaches it, the agent calls it, then updates and deletes it")
  void officialSdk() {
    String agent = agentWith(api, key);
    llm.enqueue(Step.toolCall(null, "sdk_double", new JsonObject().put("n", 21).put("request_heartbeat", true)),
        Step.sendMessage(null, "42"));
    NodeScript.Run run = NodeScript.run("letta-tools.cjs", Map.of("LETTA_BASE_URL", TestServer.shared().server()
        .baseUrl(), "LETTA_API_KEY", key, "AGENT_ID", agent), 120);
    assertEquals(0, run.exitCode(), run.output());
  }

  static String bare(String prefixed) {
    return prefixed.substring(prefixed.indexOf('-') + 1);
  }

  static void assertRefused(Api.Response r, int status, String words) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.detail().contains(words), r.body());
  }
}
