package dev.engram.http.letta;

import static dev.engram.http.letta.Letta.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Letta's agents over /v1: create, list and count, retrieve, update, delete, the context window and its reset. */
class LettaAgentsTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  @Test
  @DisplayName("create takes memory blocks, tags, metadata, description, a model handle and an agent type, and"
      + " answers a full AgentState")
  void create() {
    JsonObject state = createAgent(api, key, new JsonObject().put("name", "Atlas").put("model", "openai/gpt-4o-mini")
        .put("agent_type", "letta_v1_agent").put("description", "maps things").put("tags", new JsonArray().add("geo"))
        .put("metadata", new JsonObject().put("team", "blue")).put("system", "You are Atlas.")
        .put("memory_blocks", new JsonArray().add(block("human", "Name: Kim").put("limit", 500))
            .add(block("persona", "I am Atlas.")).add(block("notes", "").put("description", "scratch"))));
    assertEquals("Atlas", state.getString("name"));
    assertEquals("letta_v1_agent", state.getString("agent_type"));
    assertEquals("maps things", state.getString("description"));
    assertEquals(new JsonArray().add("geo"), state.getJsonArray("tags"));
    assertEquals("blue", state.getJsonObject("metadata").getString("team"));
    assertEquals("You are Atlas.", state.getString("system"));
    assertEquals("openai/gpt-4o-mini", state.getString("model"));
    assertEquals("gpt-4o-mini", state.getJsonObject("llm_config").getString("model"));
    assertEquals("local/all-minilm-l6-v2", state.getString("embedding"));
    JsonArray blocks = state.getJsonArray("blocks");
    assertEquals(List.of("human", "persona", "notes"), blocks.stream().map(b -> ((JsonObject) b).getString("label"))
        .toList());
    JsonObject human = byLabel(blocks, "human");
    assertTrue(human.getString("id").startsWith("block-"), human.encode());
    assertEquals(500, human.getInteger("limit"));
    assertEquals(20000, byLabel(blocks, "persona").getInteger("limit"), "Letta's default for persona and human");
    assertEquals(100000, byLabel(blocks, "notes").getInteger("limit"), "Letta's default for other blocks");
    assertEquals("scratch", byLabel(blocks, "notes").getString("description"));
    assertEquals(blocks, state.getJsonObject("memory").getJsonArray("blocks"));
    List<String> tools = state.getJsonArray("tools").stream().map(t -> ((JsonObject) t).getString("name")).toList();
    assertEquals(List.of("conversation_search", "archival_memory_insert", "archival_memory_search", "memory_insert",
        "memory_replace"), tools, "a letta_v1_agent's base tools: it speaks in plain text, without send_message");
    assertTrue(state.getJsonArray("message_ids").getString(0).startsWith("message-"));

    // the system prompt the model gets renders every block
    llm.enqueue(ScriptedLlm.Step.text("Hello."));
    Letta.send(api, state.getString("id"), key, "hello");
    String prompt = systemPrompt(llm.requests().get(0));
    assertTrue(prompt.startsWith("You are Atlas."), prompt);
    assertTrue(prompt.contains("<human characters=\"9/500\">\nName: Kim\n</human>"), prompt);
    assertTrue(prompt.contains("<notes characters=\"0/100000\">\n\n</notes>"), prompt);
  }

  @Test
  @DisplayName("without a name one is drawn; without include_base_tools the agent has only the tools it names")
  void defaults() {
    JsonObject state = createAgent(api, key, new JsonObject().put("include_base_tools", false)
        .put("tools", new JsonArray().add("send_message")));
    assertTrue(state.getString("name").matches("[A-Z][a-z]+[A-Z][a-z]+"), state.getString("name"));
    assertEquals("memgpt_agent", state.getString("agent_type"));
    assertEquals(1, state.getJsonArray("tools").size());
    assertEquals(0, state.getJsonArray("blocks").size());
    JsonObject again = createAgent(api, key, new JsonObject().put("tool_ids",
        new JsonArray().add(state.getJsonArray("tools").getJsonObject(0).getString("id"))));
    assertTrue(Letta.ids(again.getJsonArray("tools")).contains(state.getJsonArray("tools").getJsonObject(0)
        .getString("id")));
  }

  @Test
  @DisplayName("bad input is a 4xx with a detail and creates nothing: handles, types, limits, ids, JSON")
  void badCreate() {
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("model", "gpt-4")), 400, "provider/model-name");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("model", "anthropic/claude")), 400, "openai/");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("embedding", "openai/ada")), 400, "embed");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("agent_type", "robot")), 422, "agent_type");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("tags", "geo")), 422, "tags");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("memory_blocks", new JsonArray().add("x"))),
        422, "memory_blocks");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("memory_blocks", new JsonArray()
        .add(block("human", "x".repeat(11)).put("limit", 10)))), 422, "Exceeds 10 character limit");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("memory_blocks", new JsonArray()
        .add(block("human", "a")).add(block("human", "b")))), 422, "human");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("block_ids",
        new JsonArray().add("block-00000000-0000-4000-8000-000000000000"))), 404, "Block");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("tool_ids",
        new JsonArray().add("tool-00000000-0000-4000-8000-000000000000"))), 404, "Tool");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("tools", new JsonArray().add("rm_rf"))), 422,
        "rm_rf");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("name", "bad/name")), 400, "name");
    assertProblem(api.post("/v1/agents/", key, new JsonObject().put("timezone", "Mars/Olympus")), 422, "timezone");
    assertProblem(api.post("/v1/agents/", key, "{\"name\": \"x\""), 400, "JSON");
    assertProblem(api.post("/v1/agents/", key, "[1]"), 400, "JSON");
    assertEquals("0", api.get("/v1/agents/count", key).body());
    assertEquals(0, new JsonArray(api.get("/v1/blocks/", key).body()).size(), "no block was stored either");
    // a taken name is a conflict the SDK must not retry
    createAgent(api, key, "Twin");
    Api.Response twin = api.post("/v1/agents/", key, new JsonObject().put("name", "Twin"));
    assertProblem(twin, 409, "already exists");
    assertEquals("false", twin.headers().firstValue("x-should-retry").orElse(null));
  }

  @Test
  @DisplayName("the list is a bare array, newest first by default; the pager's after and before walk it both ways")
  void listAndPage() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(createAgent(api, key, "Pager " + i).getString("id"));
    }
    List<String> newestFirst = new ArrayList<>(created);
    java.util.Collections.reverse(newestFirst);
    assertEquals(newestFirst, ids(new JsonArray(api.get("/v1/agents/", key).body())));
    assertEquals(created, walk("/v1/agents/?order=asc&limit=2"));
    assertEquals(newestFirst, walk("/v1/agents/?limit=2"));
    // before: the page just before the cursor in the same order
    JsonArray before = new JsonArray(api.get("/v1/agents/?order=asc&limit=2&before=" + created.get(3), key).body());
    assertEquals(created.subList(1, 3), ids(before));
    // an empty cursor value counts as absent (the SDK sends key= for null)
    assertEquals(5, new JsonArray(api.get("/v1/agents/?after=&limit=", key).body()).size());
    assertProblem(api.get("/v1/agents/?order=sideways", key), 422, "order");
    assertProblem(api.get("/v1/agents/?limit=0", key), 422, "limit");
  }

  /** Follows the SDK's pager: the same query with after = the last id, until a page is empty. */
  private List<String> walk(String first) {
    List<String> seen = new ArrayList<>();
    String url = first;
    for (int guard = 0; guard < 20; guard++) {
      JsonArray page = new JsonArray(api.get(url, key).body());
      if (page.isEmpty()) {
        return seen;
      }
      seen.addAll(ids(page));
      url = first + "&after=" + seen.get(seen.size() - 1);
    }
    throw new AssertionError("the pager did not end: " + seen);
  }

  @Test
  @DisplayName("the list filters by name, tags (any or all) and query_text; count answers the same number")
  void filters() {
    createAgent(api, key, new JsonObject().put("name", "Red Fox").put("tags", new JsonArray().add("a").add("b")));
    createAgent(api, key, new JsonObject().put("name", "Blue Fox").put("tags", new JsonArray().add("a")));
    createAgent(api, key, new JsonObject().put("name", "Owl").put("tags", new JsonArray().add("c")));
    assertEquals(List.of("Red Fox"), names("/v1/agents/?name=Red%20Fox"));
    assertEquals(List.of("Blue Fox", "Red Fox"), names("/v1/agents/?tags=a"));
    assertEquals(List.of("Owl", "Red Fox"), names("/v1/agents/?tags=b&tags=c"));
    assertEquals(List.of("Red Fox"), names("/v1/agents/?tags=a&tags=b&match_all_tags=true"));
    assertEquals(List.of("Blue Fox", "Red Fox"), names("/v1/agents/?query_text=fox"));
    assertEquals("3", api.get("/v1/agents/count", key).body());
    assertEquals("2", api.get("/v1/agents/count?tags=a", key).body());
    assertEquals(3, names("/v1/agents/?include=agent.blocks&include=agent.tools").size());
  }

  private List<String> names(String url) {
    Api.Response r = api.get(url, key);
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body()).stream().map(a -> ((JsonObject) a).getString("name")).sorted().toList();
  }

  @Test
  @DisplayName("retrieve, update (the next prompt has the new system and blocks), delete (404 afterwards)")
  void retrieveUpdateDelete() {
    JsonObject state = createAgent(api, key, "Mutable");
    String id = state.getString("id");
    Api.Response got = api.get("/v1/agents/" + id + "?include=agent.blocks", key);
    assertEquals(200, got.status(), got.body());
    assertEquals(state.getString("id"), got.json().getString("id"));
    assertEquals(state.getJsonArray("blocks"), got.json().getJsonArray("blocks"));

    JsonObject extra = createBlock(api, key, block("project", "Ship v1 by Friday"));
    Api.Response patched = api.patch("/v1/agents/" + id, key, new JsonObject().put("name", "Renamed")
        .put("description", "changed").put("tags", new JsonArray().add("x")).put("system", "You are renamed.")
        .put("metadata", new JsonObject().put("k", 1)).put("context_window_limit", 4000)
        .put("block_ids", new JsonArray().add(extra.getString("id"))
            .add(byLabel(state.getJsonArray("blocks"), "persona").getString("id"))));
    assertEquals(200, patched.status(), patched.body());
    JsonObject after = patched.json();
    assertEquals("Renamed", after.getString("name"));
    assertEquals("changed", after.getString("description"));
    assertEquals("You are renamed.", after.getString("system"));
    assertEquals(4000, after.getJsonObject("llm_config").getInteger("context_window"));
    assertEquals(List.of("project", "persona"), after.getJsonArray("blocks").stream()
        .map(b -> ((JsonObject) b).getString("label")).toList());
    Letta.send(api, id, key, "what now?");
    String prompt = systemPrompt(llm.requests().get(0));
    assertTrue(prompt.startsWith("You are renamed."), prompt);
    assertTrue(prompt.contains("Ship v1 by Friday") && !prompt.contains("<human"), prompt);
    // the seed API sees the same agent
    assertEquals("Renamed", api.get("/api/agents/" + bare(id) + "/config", key).json().getJsonObject("agent_state")
        .getString("name"));

    assertProblem(api.patch("/v1/agents/" + id, key, new JsonObject().put("block_ids",
        new JsonArray().add("block-00000000-0000-4000-8000-000000000000"))), 404, "Block");
    assertProblem(api.patch("/v1/agents/" + id, key, new JsonObject().put("name", 7)), 422, "name");
    assertEquals("Renamed", api.get("/v1/agents/" + id, key).json().getString("name"), "a refused update changes"
        + " nothing");

    Api.Response deleted = api.delete("/v1/agents/" + id, key);
    assertEquals(200, deleted.status(), deleted.body());
    assertProblem(api.get("/v1/agents/" + id, key), 404, bare(id));
    assertProblem(api.delete("/v1/agents/" + id, key), 404, bare(id));
    assertEquals(200, api.get("/v1/blocks/" + extra.getString("id"), key).status(), "blocks outlive their agents");
  }

  @Test
  @DisplayName("the context window's breakdown adds up, and a reset keeps recall but empties the context")
  void contextAndReset() {
    JsonObject state = createAgent(api, key, "Counter");
    String id = state.getString("id");
    Letta.send(api, id, key, "first message");
    JsonObject ctx = api.get("/v1/agents/" + id + "/context", key).json();
    assertEquals(8192, ctx.getInteger("context_window_size_max"));
    assertEquals(ctx.getInteger("num_messages") - 1, ctx.getJsonArray("messages").size());
    assertTrue(ctx.getString("core_memory").contains("I am Counter."), ctx.encode());
    assertTrue(ctx.getString("external_memory_summary").contains("previous messages"), ctx.encode());
    assertTrue(ctx.getInteger("num_tokens_functions_definitions") > 100, ctx.encode());
    assertEquals(8, ctx.getJsonArray("functions_definitions").size());
    assertTrue(ctx.getInteger("context_window_size_current") >= ctx.getInteger("num_tokens_messages")
        + ctx.getInteger("num_tokens_functions_definitions") + ctx.getInteger("num_tokens_core_memory"));
    long recall = ctx.getLong("num_recall_memory");

    Api.Response reset = api.patch("/v1/agents/" + id + "/reset-messages", key, new JsonObject());
    assertEquals(200, reset.status(), reset.body());
    assertEquals(1, reset.json().getJsonArray("message_ids").size());
    JsonObject afterReset = api.get("/v1/agents/" + id + "/context", key).json();
    assertEquals(1, afterReset.getInteger("num_messages"));
    assertEquals(recall + 1, afterReset.getLong("num_recall_memory"), "recall keeps everything, plus the new system"
        + " message");
    Api.Response withBoot = api.patch("/v1/agents/" + id + "/reset-messages", key,
        new JsonObject().put("add_default_initial_messages", true));
    assertEquals(4, withBoot.json().getJsonArray("message_ids").size());
    // the model sees the short context
    llm.reset();
    Letta.send(api, id, key, "after the reset");
    assertEquals(5, llm.requests().get(0).getJsonArray("messages").size());
  }

  @Test
  @DisplayName("the official Letta SDK creates, pages, edits blocks, attaches blocks and tools, exports, imports,"
      + " updates, resets and deletes")
  void officialSdk() {
    dev.engram.testkit.NodeScript.Run run = dev.engram.testkit.NodeScript.run("letta-agents.cjs",
        java.util.Map.of("LETTA_BASE_URL", TestServer.shared().server().baseUrl(), "LETTA_API_KEY", key), 120);
    assertEquals(0, run.exitCode(), run.output());
  }

  static void assertProblem(Api.Response r, int status, String fragment) {
    assertEquals(status, r.status(), r.body());
    String detail = r.json().getString("detail");
    assertNotNull(detail, r.body());
    assertTrue(detail.contains(fragment), () -> "'" + detail + "' does not mention " + fragment);
  }
}
