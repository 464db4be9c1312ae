package dev.engram.http.letta;

import static dev.engram.http.letta.Letta.*;
import static dev.engram.http.letta.LettaAgentsTest.assertProblem;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Agent Files (.af): export, import into a fresh server, and import of files published by Letta. */
class AgentFileTest {
  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
  private final ScriptedLlm llm = TestServer.llm();
  private String key;

  @BeforeEach
  void setUp() {
    llm.reset();
    key = api.newUser().getString("api_key");
  }

  @Test
  @DisplayName("an agent exported from one server and imported into a fresh one has the same blocks, messages and"
      + " tools, under new ids")
  void roundTrip() {
    JsonObject agent = createAgent(api, key, new JsonObject().put("name", "Traveller").put("agent_type",
            "memgpt_v2_agent").put("system", "You travel between servers.").put("tags", new JsonArray().add("t1"))
        .put("memory_blocks", new JsonArray().add(block("persona", "I travel."))
            .add(block("human", "Name: Noor").put("limit", 300).put("description", "who I talk to"))
            .add(block("route", "Paris, Rome").put("read_only", true))));
    String id = agent.getString("id");
    llm.enqueue(Step.toolCall("Noting it.", "core_memory_append", new JsonObject().put("name", "human")
        .put("content", "Likes trains").put("request_heartbeat", true)), Step.sendMessage("Done.", "Noted!"));
    Letta.send(api, id, key, "I like trains");
    Letta.send(api, id, key, "thanks");

    Api.Response exported = api.get("/v1/agents/" + id + "/export", key);
    assertEquals(200, exported.status(), exported.body());
    JsonObject file = exported.json();
    JsonObject fileAgent = file.getJsonArray("agents").getJsonObject(0);
    assertEquals("agent-0", fileAgent.getString("id"));
    assertEquals(List.of("block-0", "block-1", "block-2"), fileAgent.getJsonArray("block_ids").getList());
    assertEquals(fileAgent.getJsonArray("tool_ids").size(), file.getJsonArray("tools").size());
    assertEquals("openai/gpt-4", fileAgent.getJsonObject("llm_config").getString("handle"));
    JsonArray messages = fileAgent.getJsonArray("messages");
    assertTrue(messages.size() >= 10, messages.encode());
    assertTrue(fileAgent.getJsonArray("in_context_message_ids").size() >= 9);
    for (Object m : messages) {
      assertTrue(((JsonObject) m).getString("id").startsWith("message-"));
    }

    try (TestServer fresh = TestServer.start(TempHomes.create("engram-af-"), Map.of())) {
      String freshKey = fresh.api.newUser().getString("api_key");
      Api.Response imported = fresh.api.upload("/v1/agents/import", freshKey, "file", "traveller.af",
          exported.body().getBytes(StandardCharsets.UTF_8));
      assertEquals(200, imported.status(), imported.body());
      String newId = imported.json().getJsonArray("agent_ids").getString(0);
      assertNotEquals(id, newId);
      JsonObject copy = fresh.api.get("/v1/agents/" + newId, freshKey).json();
      assertEquals("Traveller_copy", copy.getString("name"), "Letta appends _copy by default");
      assertEquals("memgpt_v2_agent", copy.getString("agent_type"));
      assertEquals("You travel between servers.", copy.getString("system"));
      assertEquals(agent.getJsonArray("tags"), copy.getJsonArray("tags"));
      JsonObject original = api.get("/v1/agents/" + id, key).json();
      assertEquals(blockFacts(original.getJsonArray("blocks")), blockFacts(copy.getJsonArray("blocks")));
      assertTrue(byLabel(copy.getJsonArray("blocks"), "human").getString("value").endsWith("Likes trains"));
      assertEquals(names(original.getJsonArray("tools")), names(copy.getJsonArray("tools")));
      assertNotEquals(ids(original.getJsonArray("blocks")), ids(copy.getJsonArray("blocks")), "new block ids");
      // the same history, in order, and the same messages in context
      assertEquals(recall(api, key, bare(id)), recall(fresh.api, freshKey, bare(newId)));
      assertEquals(texts(new JsonArray(api.get("/v1/agents/" + id + "/memory/messages", key).body())),
          texts(new JsonArray(fresh.api.get("/v1/agents/" + newId + "/memory/messages", freshKey).body())));
      // and it runs there
      JsonObject reply = Letta.send(fresh.api, bare(newId), freshKey, "still there?");
      assertFalse(reply.getJsonArray("messages").isEmpty());
    }
  }

  @Test
  @DisplayName("files published by Letta import: the blocks, messages and the built-in tools among theirs")
  void lettaExamples() {
    Api.Response loop = api.upload("/v1/agents/import", key, "file", "loop.af", resource("loop.af"));
    assertEquals(200, loop.status(), loop.body());
    String loopId = loop.json().getJsonArray("agent_ids").getString(0);
    JsonObject state = api.get("/v1/agents/" + loopId, key).json();
    assertEquals("Loop_copy", state.getString("name"));
    assertEquals("letta_v1_agent", state.getString("agent_type"));
    assertEquals(9, state.getJsonArray("blocks").size());
    assertTrue(byLabel(state.getJsonArray("blocks"), "soul").getString("value").length() > 1000);
    assertEquals(List.of("archival_memory_insert", "archival_memory_search", "conversation_search", "memory_insert",
        "memory_replace"), names(state.getJsonArray("tools")).stream().sorted().toList());
    assertEquals("gpt-4", state.getJsonObject("llm_config").getString("model"), "an anthropic model is not served"
        + " here: the server's model stands in");
    JsonArray inContext = new JsonArray(api.get("/v1/agents/" + loopId + "/memory/messages", key).body());
    assertEquals(List.of("system", "assistant", "tool"), inContext.stream()
        .map(m -> ((JsonObject) m).getString("role")).toList());
    assertTrue(inContext.getJsonObject(0).getString("text").startsWith("You are Loop."));
    assertEquals("send_message", inContext.getJsonObject(2).getString("name"), "a tool message takes the name of"
        + " the call it answers");

    Api.Response memgpt = api.upload("/v1/agents/import", key, "file", "memgpt_agent.af", resource("memgpt_agent.af"));
    assertEquals(200, memgpt.status(), memgpt.body());
    JsonObject classic = api.get("/v1/agents/" + memgpt.json().getJsonArray("agent_ids").getString(0), key).json();
    assertEquals("memgpt_agent_copy", classic.getString("name"));
    assertTrue(byLabel(classic.getJsonArray("blocks"), "human").getString("value").contains("First name: Chad"));
    assertEquals(20000, byLabel(classic.getJsonArray("blocks"), "persona").getInteger("limit"));
    // importing again gives a name of its own
    Api.Response again = api.upload("/v1/agents/import", key, "file", "memgpt_agent.af", resource("memgpt_agent.af"));
    assertEquals(200, again.status(), again.body());
    assertEquals("memgpt_agent_copy_2", api.get("/v1/agents/" + again.json().getJsonArray("agent_ids").getString(0),
        key).json().getString("name"));
  }

  @Test
  @DisplayName("a file that is not an agent file is a 400, a broken one a 422, and nothing is stored")
  void badFiles() {
    assertProblem(api.upload("/v1/agents/import", key, "file", "x.af", "not json".getBytes(StandardCharsets.UTF_8)),
        400, "Corrupted");
    assertProblem(api.upload("/v1/agents/import", key, "file", "x.af",
        "{\"name\": \"legacy\"}".getBytes(StandardCharsets.UTF_8)), 400, "AgentFileSchema");
    JsonObject broken = new JsonObject().put("agents", new JsonArray().add(new JsonObject().put("id", "agent-0")
        .put("name", "Broken").put("block_ids", new JsonArray().add("block-7")))).put("blocks", new JsonArray()
        .add(new JsonObject().put("id", "block-0").put("label", "human").put("value", "x")));
    assertProblem(api.upload("/v1/agents/import", key, "file", "x.af",
        broken.encode().getBytes(StandardCharsets.UTF_8)), 422, "block-7");
    assertProblem(api.upload("/v1/agents/import", key, "other", "x.af", "{}".getBytes(StandardCharsets.UTF_8)), 422,
        "file");
    assertProblem(api.post("/v1/agents/import", key, new JsonObject()), 422, "multipart");
    assertEquals("0", api.get("/v1/agents/count", key).body());
    assertEquals(0, new JsonArray(api.get("/v1/blocks/", key).body()).size());
  }

  private static List<String> blockFacts(JsonArray blocks) {
    return blocks.stream().map(b -> (JsonObject) b).map(b -> b.getString("label") + "|" + b.getString("value") + "|"
        + b.getInteger("limit") + "|" + b.getString("description") + "|" + b.getBoolean("read_only")).toList();
  }

  private static List<String> names(JsonArray tools) {
    return tools.stream().map(t -> ((JsonObject) t).getString("name")).toList();
  }

  private static List<String> texts(JsonArray messages) {
    return messages.stream().map(m -> (JsonObject) m).map(m -> m.getString("role") + ":" + m.getString("text") + ":"
        + m.getValue("tool_calls")).toList();
  }

  /** The whole recall of an agent on the seed API (newest first), as role, text and calls. */
  private static List<String> recall(Api api, String key, String agentId) {
    JsonArray messages = api.get("/api/agents/" + agentId + "/messages-cursor?limit=1000", key).json()
        .getJsonArray("messages");
    return messages.stream().map(m -> (JsonObject) m).map(m -> m.getString("role") + ":" + m.getString("text") + ":"
        + m.getString("name") + ":" + (m.getValue("tool_calls") == null ? "" : m.getJsonArray("tool_calls").stream()
            .map(c -> ((JsonObject) c).getJsonObject("function").encode()).toList())).toList();
  }

  static byte[] resource(String name) {
    try (InputStream in = AgentFileTest.class.getClassLoader().getResourceAsStream("agentfiles/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
