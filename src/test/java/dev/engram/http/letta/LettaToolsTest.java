package dev.engram.http.letta;

import static dev.engram.http.letta.Letta.*;
import static dev.engram.http.letta.LettaAgentsTest.assertProblem;
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

/** The built-in tools on /v1: listing, by id and by name, and attaching to and detaching from an agent. */
class LettaToolsTest {
  private static final String HEARTBEAT = "Request an immediate heartbeat after function execution. Set to 'true' if"
      + " you want to send a follow-up message or run a follow-up function.";

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  @Test
  @DisplayName("the tool list pages like every list, filters by name and search, and each tool has a stable id")
  void listAndRetrieve() {
    JsonArray all = new JsonArray(api.get("/v1/tools/?limit=100&order=asc", key).body());
    List<String> names = all.stream().map(t -> ((JsonObject) t).getString("name")).toList();
    assertEquals(List.of("send_message", "pause_heartbeats", "core_memory_append", "core_memory_replace",
        "conversation_search", "conversation_search_date", "archival_memory_insert", "archival_memory_search",
        "memory_insert", "memory_replace"), names);
    // pages of 3, newest first by default, end with an empty page
    List<String> walked = new ArrayList<>();
    String url = "/v1/tools/?limit=3";
    for (int i = 0; i < 10; i++) {
      JsonArray page = new JsonArray(api.get(url, key).body());
      if (page.isEmpty()) {
        break;
      }
      walked.addAll(ids(page));
      url = "/v1/tools/?limit=3&after=" + walked.get(walked.size() - 1);
    }
    List<String> reversed = new ArrayList<>(ids(all));
    java.util.Collections.reverse(reversed);
    assertEquals(reversed, walked);

    JsonObject append = new JsonArray(api.get("/v1/tools/?name=core_memory_append", key).body()).getJsonObject(0);
    assertEquals("letta_memory_core", append.getString("tool_type"));
    JsonObject schema = append.getJsonObject("json_schema");
    assertEquals("Append to the contents of core memory.", schema.getString("description"));
    assertEquals(new JsonArray().add("name").add("content").add("request_heartbeat"),
        schema.getJsonObject("parameters").getJsonArray("required"));
    assertEquals(HEARTBEAT, schema.getJsonObject("parameters").getJsonObject("properties")
        .getJsonObject("request_heartbeat").getString("description"));
    assertEquals(List.of("archival_memory_insert", "archival_memory_search"),
        new JsonArray(api.get("/v1/tools/?search=ARCHIVAL&order=asc", key).body()).stream()
            .map(t -> ((JsonObject) t).getString("name")).toList());

    // the same id on every request (and for every user): a name-based UUID
    String id = append.getString("id");
    String otherKey = api.newUser().getString("api_key");
    assertEquals(append, api.get("/v1/tools/" + id, otherKey).json());
    assertEquals(id, api.get("/v1/tools/name/core_memory_append", key).body().replace("\"", ""));
    assertProblem(api.get("/v1/tools/tool-00000000-0000-4000-8000-000000000000", key), 404, "Tool");
    assertProblem(api.get("/v1/tools/name/rm_rf", key), 404, "rm_rf");
    assertProblem(api.get("/v1/tools/?limit=-1", key), 422, "limit");
  }

  @Test
  @DisplayName("attaching and detaching a tool changes the tools of the agent's next model call")
  void attachAndDetach() {
    JsonObject agent = createAgent(api, key, "Toolbox");
    String id = agent.getString("id");
    String insert = api.get("/v1/tools/name/memory_insert", key).body().replace("\"", "");
    String search = api.get("/v1/tools/name/archival_memory_search", key).body().replace("\"", "");
    Api.Response attached = api.patch("/v1/agents/" + id + "/tools/attach/" + insert, key, null);
    assertEquals(200, attached.status(), attached.body());
    assertAgentState(attached.json());
    Api.Response detached = api.patch("/v1/agents/" + id + "/tools/detach/" + search, key, null);
    assertEquals(200, detached.status(), detached.body());
    List<String> tools = detached.json().getJsonArray("tools").stream()
        .map(t -> ((JsonObject) t).getString("name")).toList();
    assertTrue(tools.contains("memory_insert") && !tools.contains("archival_memory_search"), tools.toString());
    assertEquals(tools.size(), new JsonArray(api.get("/v1/agents/" + id + "/tools?limit=50", key).body()).size());
    assertEquals(3, new JsonArray(api.get("/v1/agents/" + id + "/tools?limit=3", key).body()).size());

    Letta.send(api, id, key, "what can you do?");
    List<String> offered = toolNames(llm.requests().get(0));
    assertTrue(offered.contains("memory_insert") && !offered.contains("archival_memory_search"), offered.toString());
    assertProblem(api.patch("/v1/agents/" + id + "/tools/attach/tool-00000000-0000-4000-8000-000000000000", key,
        null), 404, "Tool");
  }

  @Test
  @DisplayName("Letta's memory_insert and memory_replace edit a block by label")
  void v2MemoryTools() {
    JsonObject agent = createAgent(api, key, new JsonObject().put("agent_type", "memgpt_v2_agent")
        .put("memory_blocks", new JsonArray().add(block("todo", "a\nc"))));
    String id = agent.getString("id");
    llm.enqueue(ScriptedLlm.Step.toolCall(null, "memory_insert", new JsonObject().put("label", "todo")
            .put("new_string", "b").put("insert_line", 1).put("request_heartbeat", true)),
        ScriptedLlm.Step.toolCall(null, "memory_replace", new JsonObject().put("label", "todo")
            .put("old_string", "c").put("new_string", "d").put("request_heartbeat", false)));
    Letta.send(api, id, key, "edit the list");
    assertEquals("a\nb\nd", api.get("/v1/agents/" + id + "/core-memory/blocks/todo", key).json()
        .getString("value"));
  }

  @Test
  @DisplayName("the MemGPT 0.4 client's routes: memory by label, its sizes, in-context messages, template ids")
  void memgpt04Routes() {
    JsonObject agent = createAgent(api, key, "Classic");
    String id = agent.getString("id");
    JsonObject memory = api.get("/v1/agents/" + id + "/memory", key).json();
    assertEquals("I am Classic.", memory.getJsonObject("memory").getJsonObject("persona").getString("value"));
    assertEquals("persona", memory.getJsonObject("memory").getJsonObject("persona").getString("name"));
    Api.Response updated = api.patch("/v1/agents/" + id + "/memory", key,
        new JsonObject().put("human", "Name: Timber"));
    assertEquals(200, updated.status(), updated.body());
    assertEquals("Name: Timber", updated.json().getJsonObject("memory").getJsonObject("human").getString("value"));
    assertProblem(api.patch("/v1/agents/" + id + "/memory", key, new JsonObject().put("nope", "x")), 422, "nope");
    assertProblem(api.patch("/v1/agents/" + id + "/memory", key, new JsonObject().put("human", 1)), 422, "human");
    assertEquals(0, api.get("/v1/agents/" + id + "/memory/archival", key).json().getInteger("size"));
    long recall = api.get("/v1/agents/" + id + "/memory/recall", key).json().getLong("size");
    assertTrue(recall >= 4, "boot messages and the system message swap are in recall: " + recall);
    JsonArray inContext = new JsonArray(api.get("/v1/agents/" + id + "/memory/messages", key).body());
    assertEquals("system", inContext.getJsonObject(0).getString("role"));
    assertTrue(inContext.getJsonObject(0).getString("text").contains("Name: Timber"));
    // get_human_id: the built-in "basic" template by label and name
    JsonArray basic = new JsonArray(api.get("/v1/blocks?label=human&templates_only=true&name=basic", key).body());
    assertEquals(1, basic.size());
    assertEquals("First name: Chad", basic.getJsonObject(0).getString("value"));
  }
}
