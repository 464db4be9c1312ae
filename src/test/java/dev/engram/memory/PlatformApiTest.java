package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Mem0 platform API (/v1/ping, /v1|v3 add, /v1|v2|v3 list and search, one memory, batch, entities) through the
 * official npm client and through plain HTTP: shapes, paging, isolation between users and bad input.
 */
class PlatformApiTest {
  private static Api api;
  private static String alice;
  private static String bob;
  private static ScriptedLlm llm;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi();
    alice = api.newUser().getString("api_key");
    bob = api.newUser().getString("api_key");
    llm = TestServer.llm();
  }

  private static String scope(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Adds {@code text} verbatim through the platform's v1 add; returns its id. */
  private static String addVerbatim(String key, JsonObject ids, String text) {
    Api.Response r = api.post("/v1/memories/", key, ids.copy().put("infer", false)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text))));
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body()).getJsonObject(0).getString("id");
  }

  @Test
  @DisplayName("the official mem0ai MemoryClient works against Engram unchanged, with telemetry off")
  void officialClient() {
    llm.reset();
    llm.enqueue(Step.text(new JsonObject().put("facts", new JsonArray().add("Loves green tea").add("Lives in Lisbon"))
        .encode()));
    llm.enqueue(Step.text(new JsonObject().put("memory", new JsonArray()
        .add(new JsonObject().put("id", "new").put("text", "Loves green tea").put("event", "ADD"))
        .add(new JsonObject().put("id", "new").put("text", "Lives in Lisbon").put("event", "ADD"))).encode()));
    // the asynchronous add's extraction (slow enough that the script's search right after the add finds the raw
    // message: with an instant model the facts could replace it first) and decision
    llm.enqueue(Step.text(new JsonObject().put("facts", new JsonArray().add("Plays the cello on Sundays")).encode())
        .after(1_000));
    llm.enqueue(Step.text(new JsonObject().put("memory", new JsonArray().add(new JsonObject().put("id", "new")
        .put("text", "Plays the cello on Sundays").put("event", "ADD"))).encode()));
    NodeScript.Run run = NodeScript.run("mem0-platform.cjs", Map.of("MEM0_HOST",
        TestServer.shared().server().baseUrl(), "MEM0_API_KEY", alice, "MEM0_OTHER_KEY", bob, "MEM0_USER",
        scope("sdk"), "MEM0_TELEMETRY", "false", "MEM0_DIR", System.getProperty("java.io.tmpdir") + "/mem0-test"),
        120);
    llm.reset();
    assertEquals(0, run.exitCode(), run.output());
    assertTrue(run.output().contains("ok: ping"), run.output());
  }

  @Test
  @DisplayName("Authorization: Token <key> is accepted like Bearer; a wrong key is refused and nothing else is open")
  void tokenAuthorization() throws IOException, InterruptedException {
    assertEquals(200, token("/v1/ping/", alice).statusCode());
    assertEquals("ok", new JsonObject(token("/v1/ping/", alice).body()).getString("status"));
    HttpResponse<String> wrong = token("/v1/ping/", "sk-wrong");
    assertEquals(403, wrong.statusCode());
    assertNotNull(new JsonObject(wrong.body()).getString("detail"));
    assertEquals(401, api.get("/v1/ping/", null).status());
  }

  private static HttpResponse<String> token(String path, String key) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + path))
        .header("Authorization", "Token " + key).GET().build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("v1 add, list and search answer lists (v1.1: objects); v2 lists and searches take filters; trailing"
      + " slashes and Mem0 ids shaped like Letta ids pass unchanged")
  void versionedShapes() {
    String user = scope("v1");
    String lettaShaped = "agent-" + UUID.randomUUID();
    String first = addVerbatim(alice, new JsonObject().put("user_id", user).put("agent_id", lettaShaped),
        "I play the cello");
    Api.Response v11 = api.post("/v1/memories/", alice, new JsonObject().put("user_id", user).put("infer", false)
        .put("output_format", "v1.1").put("metadata", new JsonObject().put("topic", "music"))
        .put("messages", MemoryApi.turns("user", "I sing in a choir")));
    assertEquals(200, v11.status(), v11.body());
    assertEquals("I sing in a choir", v11.json().getJsonArray("results").getJsonObject(0).getString("memory"));

    JsonArray listed = new JsonArray(api.get("/v1/memories/?user_id=" + user, alice).body());
    assertEquals(2, listed.size());
    JsonArray byAgent = new JsonArray(api.get("/v1/memories/?agent_id=" + lettaShaped, alice).body());
    assertEquals(1, byAgent.size(), "the agent_id is the caller's name, not a Letta id to strip");
    assertEquals(lettaShaped, byAgent.getJsonObject(0).getString("agent_id"));
    JsonObject page = api.get("/v1/memories/?user_id=" + user + "&page=2&page_size=1", alice).json();
    assertEquals(2, page.getInteger("count"));
    assertEquals(1, page.getJsonArray("results").size());
    assertNotNull(page.getString("previous"));
    assertNull(page.getString("next"));

    JsonArray v1Search = new JsonArray(api.post("/v1/memories/search/", alice, new JsonObject()
        .put("query", "cello").put("user_id", user).put("agent_id", lettaShaped)).body());
    assertEquals(first, v1Search.getJsonObject(0).getString("id"));
    assertTrue(v1Search.getJsonObject(0).getValue("score") instanceof Number);
    JsonObject v1Object = api.post("/v1/memories/search/", alice, new JsonObject().put("query", "choir")
        .put("user_id", user).put("output_format", "v1.1")).json();
    assertEquals(2, v1Object.getJsonArray("results").size());

    JsonArray v2List = new JsonArray(api.post("/v2/memories/", alice, new JsonObject()
        .put("filters", new JsonObject().put("AND", new JsonArray().add(new JsonObject().put("user_id", user))
            .add(new JsonObject().put("topic", "music"))))).body());
    assertEquals(1, v2List.size());
    assertEquals("I sing in a choir", v2List.getJsonObject(0).getString("memory"));
    JsonObject v2Page = api.post("/v2/memories/?page=1&page_size=1", alice, new JsonObject()
        .put("filters", new JsonObject().put("user_id", user))).json();
    assertEquals(2, v2Page.getInteger("count"));
    assertNotNull(v2Page.getString("next"));
    JsonArray v2Search = new JsonArray(api.post("/v2/memories/search/", alice, new JsonObject().put("query", "cello")
        .put("threshold", 0).put("filters", new JsonObject().put("OR", new JsonArray()
            .add(new JsonObject().put("agent_id", lettaShaped)).add(new JsonObject().put("topic", "none"))))).body());
    assertEquals(1, v2Search.size(), "ids under OR are filters: " + v2Search.encode());

    Api.Response gone = api.delete("/v1/memories/?agent_id=" + lettaShaped, alice);
    assertEquals(200, gone.status(), gone.body());
    assertEquals(1L, gone.json().getLong("deleted"));
    assertEquals(1, new JsonArray(api.get("/v1/memories/?user_id=" + user, alice).body()).size());
  }

  @Test
  @DisplayName("an export is a snapshot of its scope that imports back, into its own scope or another, verbatim")
  void exportAndImport() {
    String user = scope("export");
    String cello = addVerbatim(alice, new JsonObject().put("user_id", user).put("agent_id", "coach")
        .put("metadata", new JsonObject().put("topic", "music")).put("expiration_date", "2999-01-31"),
        "I play the cello");
    addVerbatim(alice, new JsonObject().put("user_id", user), "I swim on Sundays");
    Api.Response created = api.post("/v1/exports/", alice, new JsonObject().put("schema", new JsonObject()
        .put("type", "object")).put("filters", new JsonObject().put("user_id", user)));
    assertEquals(201, created.status(), created.body());
    String id = created.json().getString("id");
    assertEquals(200, api.delete("/v1/memories/" + cello + "/", alice).status());
    JsonObject export = api.post("/v1/exports/get/", alice, new JsonObject().put("memory_export_id", id)).json();
    assertEquals(2, export.getInteger("count"), "the export kept what held when it was made: " + export.encode());
    assertEquals(404, api.post("/v1/exports/get/", bob, new JsonObject().put("memory_export_id", id)).status());

    Api.Response back = api.post("/v1/exports/import/", alice, new JsonObject()
        .put("memories", export.getJsonArray("memories")));
    assertEquals(200, back.status(), back.body());
    assertEquals(1, back.json().getJsonArray("results").size(), "the memory still there is not stored twice");
    JsonArray restored = new JsonArray(api.post("/v2/memories/", alice, new JsonObject()
        .put("filters", new JsonObject().put("AND", new JsonArray().add(new JsonObject().put("user_id", user))
            .add(new JsonObject().put("topic", "music"))))).body());
    assertEquals(1, restored.size(), restored.encode());
    JsonObject again = restored.getJsonObject(0);
    assertEquals("I play the cello", again.getString("memory"));
    assertEquals("coach", again.getString("agent_id"));
    assertTrue(again.getString("expiration_date").startsWith("2999-02-01"), again.encode());
    Api.Response permanent = api.put("/v1/memories/" + again.getString("id") + "/", alice,
        new JsonObject().putNull("expiration_date"));
    assertEquals(200, permanent.status(), permanent.body());
    assertNull(permanent.json().getValue("expiration_date"), "expiration_date: null makes it permanent again");
    assertEquals("I play the cello", permanent.json().getString("memory"));

    String copy = scope("copy");
    Api.Response moved = api.post("/v1/exports/import/", bob, new JsonObject().put("user_id", copy)
        .put("memories", export.getJsonArray("memories")));
    assertEquals(200, moved.status(), moved.body());
    assertEquals(2, api.post("/v3/memories/", bob, new JsonObject().put("filters", new JsonObject()
        .put("user_id", copy))).json().getInteger("count"), "a document imports into any user's scope");
    PlatformApiTest.assertProblem(api.post("/v1/exports/import/", alice, new JsonObject().put("memories",
        new JsonArray().add(new JsonObject().put("memory", "no scope")))), 400, "names none of");
    PlatformApiTest.assertProblem(api.post("/v1/exports/", alice, new JsonObject().put("filters",
        new JsonObject().put("user_id", user))), 400, "Schema is required");
  }

  @Test
  @DisplayName("an expired memory is hidden from lists and searches unless show_expired asks for it")
  void showExpired() {
    String user = scope("expired");
    addVerbatim(alice, new JsonObject().put("user_id", user).put("expiration_date", "2001-01-01"),
        "I had a flip phone");
    addVerbatim(alice, new JsonObject().put("user_id", user), "I have a smartphone");
    JsonObject filters = new JsonObject().put("user_id", user);
    assertEquals(1, api.post("/v3/memories/", alice, new JsonObject().put("filters", filters)).json()
        .getInteger("count"));
    JsonObject all = api.post("/v3/memories/", alice, new JsonObject().put("filters", filters)
        .put("show_expired", true)).json();
    assertEquals(2, all.getInteger("count"), all.encode());
    JsonObject query = new JsonObject().put("query", "phone").put("threshold", 0).put("filters", filters);
    assertEquals(1, api.post("/v3/memories/search/", alice, query).json().getJsonArray("results").size());
    assertEquals(2, api.post("/v3/memories/search/", alice, query.copy().put("show_expired", true)).json()
        .getJsonArray("results").size());
  }

  @Test
  @DisplayName("another user's memory id answers 404 on every platform route and stays as it was")
  void foreignIdsAre404() {
    String shared = scope("shared");
    String memory = addVerbatim(alice, new JsonObject().put("user_id", shared), "Alice's secret plan");
    JsonObject batchOne = new JsonObject().put("memories", new JsonArray()
        .add(new JsonObject().put("memory_id", memory).put("text", "hacked")));

    assertEquals(404, api.get("/v1/memories/" + memory + "/", bob).status());
    assertEquals(404, api.put("/v1/memories/" + memory + "/", bob, new JsonObject().put("text", "hacked")).status());
    assertEquals(404, api.get("/v1/memories/" + memory + "/history/", bob).status());
    assertEquals(404, api.put("/v1/batch/", bob, batchOne).status());
    assertEquals(404, api.keyed("DELETE", "/v1/batch/", bob, batchOne).status());
    assertEquals(404, api.delete("/v1/memories/" + memory + "/", bob).status());
    assertEquals(0, api.post("/v3/memories/", bob, new JsonObject().put("filters", new JsonObject()
        .put("user_id", shared))).json().getInteger("count"));
    assertEquals(0, api.post("/v3/memories/search/", bob, new JsonObject().put("query", "secret plan")
        .put("threshold", 0).put("filters", new JsonObject().put("user_id", shared))).json()
        .getJsonArray("results").size());
    assertFalse(api.get("/v1/entities/", bob).body().contains(shared), "bob's entities are his own");
    assertEquals(200, api.delete("/v2/entities/user/" + shared + "/", bob).status());
    assertEquals(200, api.delete("/v1/memories/?user_id=*", bob).status());

    Api.Response mine = api.get("/v1/memories/" + memory + "/", alice);
    assertEquals(200, mine.status(), "bob's deletes left alice's memory alone");
    assertEquals("Alice's secret plan", mine.json().getString("memory"));
    assertEquals(1, new JsonArray(api.get("/v1/memories/" + memory + "/history/", alice).body()).size());
  }

  @Test
  @DisplayName("bad input answers 4xx with a detail the client shows, and stores nothing")
  void badInput() {
    String user = scope("bad");
    JsonArray turns = MemoryApi.turns("user", "I like chess");
    assertProblem(api.post("/v3/memories/add/", alice, new JsonObject().put("messages", turns)), 400,
        "At least one identifier");
    assertProblem(api.post("/v3/memories/add/", alice, new JsonObject().put("user_id", user)), 422, "messages");
    assertProblem(api.post("/v1/memories/", alice, new JsonObject().put("user_id", user).put("messages", turns)
        .put("infer", false).put("output_format", "v9")), 422, "output_format");
    assertProblem(api.post("/v1/memories/", alice, new JsonObject().put("user_id", user).put("messages", turns)
        .put("infer", false).put("expiration_date", "someday")), 422, "expiration_date");
    assertProblem(api.post("/v3/memories/search/", alice, new JsonObject().put("query", "chess")
        .put("user_id", user).put("filters", new JsonObject().put("user_id", user))), 400, "Top-level");
    assertProblem(api.post("/v3/memories/search/", alice, new JsonObject().put("query", "chess")
        .put("filters", new JsonObject().put("topic", "games"))), 400, "at least one of user_id");
    assertProblem(api.post("/v3/memories/search/", alice, new JsonObject().put("query", "chess")), 400,
        "filters is required");
    assertProblem(api.post("/v3/memories/", alice, new JsonObject().put("filters", new JsonObject()
        .put("user_id", user).put("topic", new JsonObject().put("between", 1)))), 400, "Invalid filters");
    assertProblem(api.post("/v3/memories/?page_size=0", alice, new JsonObject().put("filters", new JsonObject()
        .put("user_id", user))), 422, "page_size");
    assertProblem(api.get("/v1/memories/", alice), 400, "at least one of user_id");
    assertProblem(api.delete("/v1/memories/", alice), 400, "At least one of user_id");
    assertProblem(api.delete("/v2/entities/org/" + user + "/", alice), 400, "Invalid entity type");
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 1001; i++) {
      tooMany.add(new JsonObject().put("memory_id", UUID.randomUUID().toString()));
    }
    assertProblem(api.keyed("DELETE", "/v1/batch/", alice, new JsonObject().put("memories", tooMany)), 422,
        "Maximum of 1000");
    String id = UUID.randomUUID().toString();
    assertProblem(api.put("/v1/batch/", alice, new JsonObject().put("memories", new JsonArray()
        .add(new JsonObject().put("memory_id", id).put("text", "a")).add(new JsonObject().put("memory_id", id)
            .put("text", "b")))), 422, "given twice");
    assertProblem(api.put("/v1/batch/", alice, new JsonObject().put("memories", new JsonArray())), 422,
        "non-empty list");
    assertProblem(api.get("/v1/memories/not-a-uuid/", alice), 404, "not found");

    assertEquals(0, api.post("/v3/memories/", alice, new JsonObject().put("filters", new JsonObject()
        .put("user_id", user))).json().getInteger("count"), "nothing was stored");
  }

  static void assertProblem(Api.Response r, int status, String fragment) {
    assertEquals(status, r.status(), r.body());
    String detail = r.json().getString("detail");
    assertNotNull(detail, r.body());
    assertTrue(detail.contains(fragment), () -> "'" + detail + "' does not mention " + fragment);
  }
}
