package dev.engram.http.letta;

import static dev.engram.http.letta.Letta.*;
import static dev.engram.http.letta.LettaAgentsTest.assertProblem;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Core memory by label, standalone blocks, attach and detach, and blocks shared by several agents. */
class LettaBlocksTest {
  private static final Pattern FACT = Pattern.compile("fact-(\\d+-\\d+)");

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  @Test
  @DisplayName("core memory: list, read and edit blocks by label; the next prompt shows the edit; limits are a 422")
  void coreMemoryByLabel() {
    JsonObject agent = createAgent(api, key, new JsonObject().put("memory_blocks", new JsonArray()
        .add(block("persona", "I am Sage.")).add(block("human", "Name: Ada").put("limit", 40))
        .add(block("notes/work", "Standup at 9"))));
    String base = "/v1/agents/" + agent.getString("id") + "/core-memory/blocks";
    JsonArray list = new JsonArray(api.get(base, key).body());
    assertEquals(List.of("notes/work", "human", "persona"), labels(list), "newest first by default");
    assertEquals(List.of("persona", "human", "notes/work"), labels(new JsonArray(api.get(base + "?order=asc", key)
        .body())));

    JsonObject human = api.get(base + "/human", key).json();
    assertEquals("Name: Ada", human.getString("value"));
    assertTrue(human.getString("id").startsWith("block-"));
    // a label holding '/' travels percent-encoded in one segment
    Api.Response work = api.get(base + "/notes%2Fwork", key);
    assertEquals(200, work.status(), work.body());
    assertEquals("Standup at 9", work.json().getString("value"));

    Api.Response edited = api.patch(base + "/human", key, new JsonObject().put("value", "Name: Ada Lovelace"));
    assertEquals(200, edited.status(), edited.body());
    assertEquals("Name: Ada Lovelace", edited.json().getString("value"));
    assertEquals(200, api.patch(base + "/notes%2Fwork", key, new JsonObject().put("value", "Standup at 10"))
        .status());
    Letta.send(api, agent.getString("id"), key, "hi");
    String prompt = systemPrompt(llm.requests().get(0));
    assertTrue(prompt.contains("<human characters=\"18/40\">\nName: Ada Lovelace\n</human>"), prompt);
    assertTrue(prompt.contains("Standup at 10"), prompt);

    assertProblem(api.patch(base + "/human", key, new JsonObject().put("value", "x".repeat(41))), 422,
        "Exceeds 40 character limit");
    assertProblem(api.patch(base + "/human", key, new JsonObject().put("limit", 5)), 422, "limit");
    assertProblem(api.patch(base + "/human", key, new JsonObject().put("value", 5)), 422, "value");
    assertProblem(api.patch(base + "/human", key, "{oops"), 400, "JSON");
    assertEquals("Name: Ada Lovelace", api.get(base + "/human", key).json().getString("value"), "nothing changed");
    assertProblem(api.get(base + "/nobody", key), 404, "nobody");
    assertProblem(api.patch(base + "/nobody", key, new JsonObject().put("value", "x")), 404, "nobody");
  }

  @Test
  @DisplayName("standalone blocks: create, list with filters and paging (oldest first), retrieve, update, delete")
  void standaloneBlocks() {
    JsonObject a = createBlock(api, key, block("human", "Likes tea").put("is_template", true)
        .put("template_name", "tea-drinker").put("tags", new JsonArray().add("drinks")));
    JsonObject b = createBlock(api, key, block("persona", "A calm helper").put("description", "calm one"));
    JsonObject c = createBlock(api, key, block("task_list", "1. buy milk").put("limit", 50));
    assertEquals(List.of(a.getString("id"), b.getString("id"), c.getString("id")),
        ids(new JsonArray(api.get("/v1/blocks/", key).body())));
    assertEquals(List.of(c.getString("id"), b.getString("id")),
        ids(new JsonArray(api.get("/v1/blocks/?order=desc&limit=2", key).body())));
    assertEquals(List.of(b.getString("id"), c.getString("id")),
        ids(new JsonArray(api.get("/v1/blocks/?after=" + a.getString("id"), key).body())));
    assertEquals(List.of(c.getString("id")), ids(list("?label=task_list")));
    assertEquals(List.of(c.getString("id")), ids(list("?label_search=TASK")));
    assertEquals(List.of(a.getString("id")), ids(list("?value_search=tea")));
    assertEquals(List.of(b.getString("id")), ids(list("?description_search=calm")));
    assertEquals(List.of(a.getString("id")), ids(list("?tags=drinks")));
    // templates: the user's own beside the built-in ones
    JsonArray humans = list("?templates_only=true&label=human");
    List<String> names = humans.stream().map(h -> ((JsonObject) h).getString("template_name")).toList();
    assertEquals(List.of("basic", "cs_phd", "tea-drinker"), names);
    assertEquals(List.of(a.getString("id")), ids(list("?templates_only=true&name=tea-drinker")));

    JsonObject basic = humans.getJsonObject(0);
    assertEquals(200, api.get("/v1/blocks/" + basic.getString("id"), key).status());
    assertProblem(api.patch("/v1/blocks/" + basic.getString("id"), key, new JsonObject().put("value", "x")), 403,
        "built-in");

    Api.Response updated = api.patch("/v1/blocks/" + c.getString("id"), key, new JsonObject()
        .put("value", "1. buy milk\n2. call mom").put("description", "todo").put("label", "todo"));
    assertEquals(200, updated.status(), updated.body());
    assertEquals("todo", updated.json().getString("label"));
    assertEquals("todo", updated.json().getString("description"));
    assertProblem(api.patch("/v1/blocks/" + c.getString("id"), key, new JsonObject().put("value", "y".repeat(51))),
        422, "Exceeds 50 character limit");
    assertProblem(api.post("/v1/blocks/", key, new JsonObject().put("value", "no label")), 422, "label");
    assertProblem(api.post("/v1/blocks/", key, block("x", "too long").put("limit", 3)), 422, "Exceeds 3");
    assertProblem(api.post("/v1/blocks/", key, block("x", "y").put("limit", "ten")), 422, "limit");
    assertEquals(3, new JsonArray(api.get("/v1/blocks/", key).body()).size(), "refused blocks were not stored");

    assertEquals(200, api.delete("/v1/blocks/" + c.getString("id"), key).status());
    assertProblem(api.get("/v1/blocks/" + c.getString("id"), key), 404, bare(c.getString("id")));
    assertProblem(api.delete("/v1/blocks/" + c.getString("id"), key), 404, bare(c.getString("id")));
  }

  private JsonArray list(String query) {
    Api.Response r = api.get("/v1/blocks/" + query, key);
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body());
  }

  @Test
  @DisplayName("attach and detach by block id change the next prompt; a second block of one label is a 409")
  void attachAndDetach() {
    JsonObject agent = createAgent(api, key, "Holder");
    String id = agent.getString("id");
    JsonObject todo = createBlock(api, key, block("todo", "Water the plants"));
    Api.Response attached = api.patch("/v1/agents/" + id + "/core-memory/blocks/attach/" + todo.getString("id"), key,
        null);
    assertEquals(200, attached.status(), attached.body());
    assertAgentState(attached.json());
    assertEquals(List.of("persona", "human", "todo"), labels(attached.json().getJsonArray("blocks")));
    Letta.send(api, id, key, "remind me");
    assertTrue(systemPrompt(llm.requests().get(0)).contains("Water the plants"));
    JsonArray holders = new JsonArray(api.get("/v1/blocks/" + todo.getString("id") + "/agents", key).body());
    assertEquals(List.of(id), ids(holders));

    JsonObject otherHuman = createBlock(api, key, block("human", "Another human"));
    Api.Response clash = api.patch("/v1/agents/" + id + "/core-memory/blocks/attach/" + otherHuman.getString("id"),
        key, null);
    assertProblem(clash, 409, "label");
    assertEquals("false", clash.headers().firstValue("x-should-retry").orElse(null));
    assertProblem(api.patch("/v1/agents/" + id + "/core-memory/blocks/attach/block-00000000-0000-4000-8000-"
        + "000000000000", key, null), 404, "Block");

    Api.Response detached = api.patch("/v1/agents/" + id + "/core-memory/blocks/detach/" + todo.getString("id"), key,
        null);
    assertEquals(200, detached.status(), detached.body());
    assertEquals(List.of("persona", "human"), labels(detached.json().getJsonArray("blocks")));
    llm.reset();
    Letta.send(api, id, key, "again");
    assertFalse(systemPrompt(llm.requests().get(0)).contains("Water the plants"));
    assertEquals(0, new JsonArray(api.get("/v1/blocks/" + todo.getString("id") + "/agents", key).body()).size());
  }

  @Test
  @DisplayName("a block shared by two agents: an edit by one agent's tool, or by the API, is in the other's next"
      + " prompt")
  void sharedBlock() {
    JsonObject shared = createBlock(api, key, block("team", "Team: Ana"));
    JsonObject first = createAgent(api, key, new JsonObject().put("name", "First")
        .put("memory_blocks", new JsonArray().add(block("persona", "I am First.")))
        .put("block_ids", new JsonArray().add(shared.getString("id"))));
    JsonObject second = createAgent(api, key, new JsonObject().put("name", "Second")
        .put("memory_blocks", new JsonArray().add(block("persona", "I am Second.")))
        .put("block_ids", new JsonArray().add(shared.getString("id"))));
    // both agents have run once, so both are cached with the block's first version
    Letta.send(api, second.getString("id"), key, "warm up");
    llm.enqueue(Step.toolCall("Noting Bo.", "core_memory_append", new JsonObject().put("name", "team")
        .put("content", "Team: Bo").put("request_heartbeat", false)));
    Letta.send(api, first.getString("id"), key, "Bo joined the team");
    llm.reset();
    Letta.send(api, second.getString("id"), key, "who is on the team?");
    String prompt = systemPrompt(llm.requests().get(0));
    assertTrue(prompt.startsWith(api.get("/v1/agents/" + second.getString("id"), key).json().getString("system")));
    assertTrue(prompt.contains("I am Second.") && prompt.contains("Team: Ana\nTeam: Bo"), prompt);

    // an edit through the standalone block reaches both
    assertEquals(200, api.patch("/v1/blocks/" + shared.getString("id"), key,
        new JsonObject().put("value", "Team: Ana, Bo, Cy")).status());
    llm.reset();
    Letta.send(api, first.getString("id"), key, "and now?");
    Letta.send(api, second.getString("id"), key, "and now?");
    for (JsonObject request : llm.requests()) {
      assertTrue(systemPrompt(request).contains("Team: Ana, Bo, Cy"), systemPrompt(request));
    }
    // and the seed API shows the shared block among each agent's core memory
    assertEquals("Team: Ana, Bo, Cy", api.get("/api/agents/" + bare(first.getString("id")) + "/memory", key).json()
        .getJsonObject("core_memory").getString("team"));
  }

  @Test
  @DisplayName("a chained step sees a shared block another writer changed while the step before it ran")
  void chainedStepSeesTheChange() {
    JsonObject shared = createBlock(api, key, block("status", "Status: green"));
    JsonObject agent = createAgent(api, key, new JsonObject().put("name", "Watcher")
        .put("block_ids", new JsonArray().add(shared.getString("id"))));
    llm.fallback(req -> {
      if (llm.requestCount() == 1) {
        // while the agent's first step waits for the model, someone else writes the block
        assertEquals(200, api.patch("/v1/blocks/" + shared.getString("id"), key,
            new JsonObject().put("value", "Status: red")).status());
        return Step.toolCall("Checking again.", "conversation_search", new JsonObject().put("query", "status")
            .put("request_heartbeat", true));
      }
      return Step.sendMessage(null, "done");
    });
    Letta.send(api, agent.getString("id"), key, "watch the status");
    List<JsonObject> requests = llm.requests();
    assertEquals(2, requests.size());
    assertTrue(systemPrompt(requests.get(0)).contains("Status: green"));
    assertTrue(systemPrompt(requests.get(1)).contains("Status: red"), systemPrompt(requests.get(1)));
  }

  @Test
  @DisplayName("two agents appending to one shared block at the same time lose nothing")
  void concurrentAppends() throws Exception {
    int agents = 2;
    int sends = 8;
    JsonObject shared = createBlock(api, key, block("log", "Log:").put("limit", 10_000));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      ids.add(createAgent(api, key, new JsonObject().put("name", "Writer " + i)
          .put("block_ids", new JsonArray().add(shared.getString("id")))).getString("id"));
    }
    llm.fallback(req -> {
      Matcher m = FACT.matcher(req.getJsonArray("messages").getJsonObject(req.getJsonArray("messages").size() - 1)
          .getString("content"));
      return m.find() ? Step.toolCall(null, "core_memory_append", new JsonObject().put("name", "log")
              .put("content", "fact-" + m.group(1)).put("request_heartbeat", false))
          : Step.sendMessage(null, "?");
    });
    ExecutorService pool = Executors.newFixedThreadPool(agents);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int a = 0; a < agents; a++) {
        int agent = a;
        writers.add(pool.submit(() -> {
          for (int s = 0; s < sends; s++) {
            JsonObject reply = Letta.send(api, ids.get(agent), key, "remember fact-" + agent + "-" + s);
            assertEquals("success", reply.getJsonArray("messages").getJsonObject(2).getString("status"),
                reply.encode());
          }
          return null;
        }));
      }
      for (Future<?> w : writers) {
        w.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    String value = api.get("/v1/blocks/" + shared.getString("id"), key).json().getString("value");
    List<String> lines = Arrays.asList(value.split("\n"));
    assertEquals(1 + agents * sends, lines.size(), value);
    for (int a = 0; a < agents; a++) {
      for (int s = 0; s < sends; s++) {
        assertTrue(lines.contains("fact-" + a + "-" + s), "fact-" + a + "-" + s + " lost: " + value);
      }
    }
  }

  @Test
  @DisplayName("the memory tools refuse a read-only block and an edit over the limit, and say why")
  void toolRefusals() {
    JsonObject agent = createAgent(api, key, new JsonObject().put("memory_blocks", new JsonArray()
        .add(block("policy", "Be kind.").put("read_only", true)).add(block("human", "Kim").put("limit", 10))));
    String id = agent.getString("id");
    llm.enqueue(Step.toolCall(null, "core_memory_append", new JsonObject().put("name", "policy").put("content", "x")
            .put("request_heartbeat", false)),
        Step.sendMessage(null, "ok"),
        Step.toolCall(null, "core_memory_append", new JsonObject().put("name", "human")
            .put("content", "likes long walks").put("request_heartbeat", false)),
        Step.sendMessage(null, "ok"));
    JsonObject readOnly = Letta.send(api, id, key, "change the policy");
    JsonObject ret = readOnly.getJsonArray("messages").getJsonObject(2);
    assertEquals("error", ret.getString("status"), ret.encode());
    assertTrue(ret.getString("function_return").contains("read-only"), ret.encode());
    JsonObject tooLong = Letta.send(api, id, key, "remember this");
    JsonObject ret2 = tooLong.getJsonArray("messages").getJsonObject(2);
    assertTrue(ret2.getString("function_return").contains("Exceeds 10 character limit"), ret2.encode());
    String base = "/v1/agents/" + id + "/core-memory/blocks/";
    assertEquals("Be kind.", api.get(base + "policy", key).json().getString("value"));
    assertEquals("Kim", api.get(base + "human", key).json().getString("value"));
    // the owner may still edit a read-only block through the API (read_only binds the agent only, as in Letta)
    assertEquals(200, api.patch(base + "policy", key, new JsonObject().put("value", "Be very kind.")).status());
  }

  private static List<String> labels(JsonArray blocks) {
    return blocks.stream().map(b -> ((JsonObject) b).getString("label")).toList();
  }
}
