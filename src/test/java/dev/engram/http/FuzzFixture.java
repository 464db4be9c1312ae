package dev.engram.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.mcp.TestMcpServer;
import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user who owns one of everything the routes name: an agent with recall messages and an archival passage, a
 * conversation of it with a run, a source (Letta's folder) with an uploaded document (its job, which is the folder's
 * file, and passages) attached to the agent, two Mem0 memories (with history) and a chat session. The fuzz table's
 * {@code $placeholders} resolve to these ids.
 */
final class FuzzFixture {
  /** The placeholders that name an object: they get the malformed, unknown, foreign and other-kind id battery. */
  static final Set<String> ID_KINDS = Set.of("agent", "source", "job", "memory", "session", "passage", "message",
      "srcpassage", "run", "folder", "file", "block", "tool", "mcp_server", "mcp_tool", "conversation", "convmessage",
      "convrun", "export", "event", "webhook");
  /** The Mem0 scope of the fixture's memories. */
  static final String SCOPE_USER = "alice";
  static final String SCOPE_AGENT = "helper";
  static final String SCOPE_RUN = "run-1";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$([a-z]+)");

  final String key;
  final String userId;
  private final Map<String, String> ids;

  private FuzzFixture(String key, String userId, Map<String, String> ids) {
    this.key = key;
    this.userId = userId;
    this.ids = ids;
  }

  static FuzzFixture create(Api api, String label) throws InterruptedException {
    JsonObject user = api.newUser();
    String key = user.getString("api_key");
    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("user", user.getString("user_id"));
    String agent = api.newAgent(key, label + "-agent");
    ids.put("agent", agent);
    ids.put("message", api.messages(agent, key, 1).getJsonObject(0).getString("id"));
    // one finished run (a send answered by the scripted model's fallback); the model's log is cleared after it
    ok(api.post("/api/agents/" + agent + "/messages", key, new JsonObject().put("message", "hi")));
    TestServer.llm().clearRequests();
    ids.put("run", new JsonArray(api.get("/v1/runs/?agent_id=" + agent + "&limit=1", key).body()).getJsonObject(0)
        .getString("id").substring("run-".length()));
    ids.put("passage", ok(api.post("/api/agents/" + agent + "/archival", key,
        new JsonObject().put("content", "Bees make honey."))).getJsonArray("ids").getString(0));
    // a name as long as an id's first half, as the path batteries cut names and ids alike
    String sourceName = label + "-source-of-documents";
    String source = ok(api.post("/api/sources", key, new JsonObject().put("name", sourceName)
        .put("description", "kept"))).getString("id");
    ids.put("source", source);
    ids.put("folder", source); // Letta's name of a source
    ids.put("source_name", sourceName);
    ids.put("folder_name", sourceName);
    String job = ok(api.upload("/api/sources/" + source + "/upload", key, "file", "notes.txt",
        "Wasps make paper.\n\nAnts farm fungus.".getBytes(StandardCharsets.UTF_8))).getString("id");
    ids.put("job", job);
    ids.put("file", job); // a folder's file is its upload job
    awaitJob(api, key, job);
    ids.put("srcpassage", ok(api.get("/api/sources/" + source + "/passages", key)).getJsonArray("passages")
        .getJsonObject(0).getString("id"));
    ok(api.post("/api/sources/" + source + "/attach?agent_id=" + agent, key, null));
    // a Mem0 platform entity (type and id) that holds nothing: deleting it leaves the fixture's memories alone
    ids.put("entity_type", "user");
    ids.put("entity", "fuzz-nobody-holds-nothing");
    ids.put("memory", addMemory(api, key, "I like tea."));
    addMemory(api, key, "I keep bees.");
    ids.put("export", ok(api.post("/v1/exports/", key, new JsonObject().put("schema", new JsonObject())
        .put("filters", new JsonObject().put("user_id", SCOPE_USER)))).getString("id"));
    ids.put("cursor", ok(api.get("/memories?user_id=" + SCOPE_USER + "&limit=1", key)).getString("next_cursor"));
    ids.put("event", addEvent(api, key));
    ids.put("project", "fuzz-project");
    ids.put("webhook", ok(api.post("/api/v1/webhooks/projects/fuzz-project/", key, new JsonObject()
        .put("name", "fuzz hook").put("url", WEBHOOK_URL).put("event_types", new JsonArray().add("memory_add"))))
        .getString("webhook_id"));
    ids.put("session", ok(api.post("/sessions", key, new JsonObject().put("user_id", SCOPE_USER)
        .put("session_name", label))).getString("session_id"));
    agentModel(api, key, label, ids);
    mcpServer(api, key, label, ids);
    // last: the agent's changes above would otherwise be taken by the conversation at its next operation
    conversation(api, key, agent, ids);
    return new FuzzFixture(key, user.getString("user_id"), ids);
  }

  /** A conversation of the agent with one finished run (answered by the scripted model's fallback). */
  private static void conversation(Api api, String key, String agent, Map<String, String> ids) {
    String conversation = ok(api.post("/v1/conversations/?agent_id=" + agent, key, new JsonObject()
        .put("summary", "fuzz"))).getString("id").substring("conv-".length());
    ids.put("conversation", conversation);
    JsonObject sent = ok(api.post("/v1/conversations/" + conversation + "/messages", key, new JsonObject()
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")))
        .put("streaming", false)));
    TestServer.llm().clearRequests();
    ids.put("convrun", sent.getJsonObject("usage").getJsonArray("run_ids").getString(0).substring("run-".length()));
    ids.put("convmessage", ok(api.get("/v1/conversations/" + conversation, key)).getJsonArray(
        "in_context_message_ids").getString(1).substring("message-".length()));
  }

  /**
   * The agent model's objects: a block of the user's own (its label names it in core-memory paths) attached to the
   * agent, a human and a persona template of one name, a preset, and a built-in tool (the same for every user). Names
   * and labels are at least as long as an id's first half, as the path batteries cut names and ids alike.
   */
  private static void agentModel(Api api, String key, String label, Map<String, String> ids) {
    String blockLabel = label + "-notes-block";
    String block = ok(api.post("/v1/blocks/", key, new JsonObject().put("label", blockLabel)
        .put("value", "Fuzz notes"))).getString("id").substring("block-".length());
    ids.put("block", block);
    ids.put("block_label", blockLabel);
    ok(api.patch("/v1/agents/" + ids.get("agent") + "/core-memory/blocks/attach/" + block, key, null));
    String template = label + "-template-name";
    ok(api.post("/api/humans", key, new JsonObject().put("name", template).put("text", "Name: Fuzz")));
    ok(api.post("/api/personas", key, new JsonObject().put("name", template).put("text", "I am fuzz.")));
    ids.put("name", template);
    String preset = label + "-preset-name";
    ok(api.post("/api/presets", key, new JsonObject().put("name", preset).put("system", "Be brief.")
        .put("functions_schema", new JsonArray().add(new JsonObject().put("name", "send_message")))));
    ids.put("preset", preset);
    ids.put("tool", api.get("/v1/tools/name/send_message", key).body().replace("\"", "").substring("tool-".length()));
    ids.put("tool_name", "archival_memory_search");
    // the fuzz table's own tool, so that a create of it is a conflict (the table's POST /v1/tools example)
    ok(api.put("/v1/tools/", key, new JsonObject().put("source_code", "def fuzz_tool(text: str) -> str:\n"
        + "    \"\"\"Echoes.\n\n    Args:\n        text: What.\n    \"\"\"\n    return text\n")));
  }

  /** An MCP server over streamable HTTP (the test server, in this JVM) and its {@code echo} tool. */
  private static void mcpServer(Api api, String key, String label, Map<String, String> ids) {
    String url = mcp().url();
    ids.put("mcpurl", url);
    String server = ok(api.post("/v1/mcp-servers/", key, new JsonObject().put("server_name", label + "-mcp-server")
        .put("config", new JsonObject().put("mcp_server_type", "streamable_http").put("server_url", url))))
        .getString("id").substring("mcp_server-".length());
    ids.put("mcp_server", server);
    JsonArray tools = new JsonArray(api.get("/v1/mcp-servers/" + server + "/tools", key).body());
    for (Object t : tools) {
      if (((JsonObject) t).getString("name").equals("echo")) {
        ids.put("mcp_tool", ((JsonObject) t).getString("id").substring("tool-".length()));
      }
    }
    assertTrue(ids.containsKey("mcp_tool"), () -> "no echo tool in " + tools.encode());
  }

  private static TestMcpServer.Http mcp;

  /** The MCP server of every fixture, started once; it ends with the JVM. */
  private static synchronized TestMcpServer.Http mcp() {
    if (mcp == null) {
      try {
        mcp = TestMcpServer.http(0, false);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the test MCP server", e);
      }
    }
    return mcp;
  }

  /** Nothing listens there: a delivery is refused and retried, and nothing else happens. */
  static final String WEBHOOK_URL = "http://127.0.0.1:9/fuzz-hook";

  /**
   * An asynchronous add, in a scope of its own, that has settled (with the scripted model's default fallback, which
   * is no extraction, it FAILED and its raw message stays). Waited for, so that no extraction calls the model during
   * the batteries.
   */
  private static String addEvent(Api api, String key) throws InterruptedException {
    JsonObject body = new JsonObject().put("messages", "I like fuzzing.").put("user_id", "fuzz-events")
        .put("async_mode", true);
    String id = ok(api.post("/memories", key, body)).getJsonArray("results").getJsonObject(0).getString("event_id");
    for (int i = 0; i < 400; i++) {
      String status = ok(api.get("/events/" + id, key)).getString("status");
      if (status.equals("FAILED") || status.equals("SUCCEEDED")) {
        TestServer.llm().clearRequests();
        return id;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("the fixture's asynchronous add did not settle");
  }

  private static String addMemory(Api api, String key, String text) {
    JsonObject body = new JsonObject().put("messages", text).put("user_id", SCOPE_USER).put("agent_id", SCOPE_AGENT)
        .put("run_id", SCOPE_RUN).put("metadata", new JsonObject().put("topic", "drinks")).put("infer", false);
    return ok(api.post("/memories", key, body)).getJsonArray("results").getJsonObject(0).getString("id");
  }

  private static void awaitJob(Api api, String key, String job) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      String status = ok(api.get("/api/sources/status/" + job, key)).getString("status");
      if (status.equals("completed")) {
        return;
      }
      assertEquals(-1, status.indexOf("failed"), "the fixture's upload failed");
      Thread.sleep(25);
    }
    throw new AssertionError("the fixture's upload did not complete");
  }

  /** The answer of a request that must succeed (200, or 201 for a new session). */
  private static JsonObject ok(Api.Response r) {
    assertTrue(r.status() == 200 || r.status() == 201, () -> r.status() + " " + r.body());
    return r.json();
  }

  /** The id behind {@code $name}. */
  String id(String name) {
    String id = ids.get(name);
    if (id == null) {
      throw new IllegalArgumentException("no fixture id $" + name);
    }
    return id;
  }

  /** {@code text} with every {@code $placeholder} replaced: {@code $fresh} is a new UUID each time. */
  String resolve(String text) {
    Matcher m = PLACEHOLDER.matcher(text);
    return m.replaceAll(r -> Matcher.quoteReplacement(switch (r.group(1)) {
      case "fresh" -> UUID.randomUUID().toString();
      case "nokey" -> "sk-" + "0".repeat(48);
      default -> id(r.group(1));
    }));
  }
}
