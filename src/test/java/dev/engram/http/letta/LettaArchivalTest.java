package dev.engram.http.letta;

import static dev.engram.http.letta.Details.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** An agent's archival memory on /v1 (insert, list, search with filters, delete) and the 0.4 client's names. */
class LettaArchivalTest {
  private static final String SHIP = "The lighthouse keeper logs every passing ship in a green notebook.";
  private static final String EXPENSES = "Expense reports are due on the fifth working day of each month.";

  private final TestServer server = TestServer.shared();
  private final Api api = server.checkedApi(); // every answer checked against /openapi.json

  private static JsonArray array(Api.Response r) {
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body());
  }

  private static String q(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private JsonObject insert(String key, String agent, JsonObject body) {
    JsonArray stored = array(api.post("/v1/agents/agent-" + agent + "/archival-memory", key, body));
    assertEquals(1, stored.size(), stored::encode);
    return stored.getJsonObject(0);
  }

  private List<String> texts(JsonArray passages) {
    return passages.stream().map(p -> ((JsonObject) p).getString("text")).toList();
  }

  private int count(String key, String agent) {
    return api.get("/api/agents/" + agent + "/memory", key).json().getInteger("archival_memory");
  }

  @Test
  @DisplayName("insert with tags and created_at, list both ways with a text filter and cursors, delete; /api sees the same rows")
  void insertListDelete() {
    String key = api.newUser().getString("api_key");
    String agent = api.newAgent(key, "archivist");
    JsonObject ship = insert(key, agent, new JsonObject().put("text", SHIP).put("tags", new JsonArray().add("sea")));
    assertTrue(ship.getString("id").startsWith("passage-"), ship::encode);
    assertEquals(SHIP, ship.getString("text"));
    assertEquals(new JsonArray().add("sea"), ship.getJsonArray("tags"));
    assertTrue(ship.containsKey("embedding") && ship.getValue("embedding") == null);
    assertEquals(384, ship.getJsonObject("embedding_config").getInteger("embedding_dim"));
    assertEquals("agent-" + agent, ship.getString("agent_id"));
    JsonObject old = insert(key, agent, new JsonObject().put("text", EXPENSES)
        .put("tags", new JsonArray().add("work").add("work")).put("created_at", "2020-01-02T03:04:05Z"));
    assertEquals("2020-01-02T03:04:05.000000+00:00", old.getString("created_at"));
    assertEquals(new JsonArray().add("work"), old.getJsonArray("tags"), "a tag is kept once");

    String base = "/v1/agents/agent-" + agent + "/archival-memory";
    assertEquals(List.of(EXPENSES, SHIP), texts(array(api.get(base, key))), "oldest first by default");
    assertEquals(List.of(EXPENSES, SHIP), texts(array(api.get(base + "/", key))), "the trailing slash too");
    assertEquals(List.of(SHIP, EXPENSES), texts(array(api.get(base + "?ascending=false", key))));
    assertEquals(List.of(EXPENSES), texts(array(api.get(base + "?limit=1", key))));
    assertEquals(List.of(SHIP), texts(array(api.get(base + "?after=" + old.getString("id"), key))));
    assertEquals(List.of(EXPENSES), texts(array(api.get(base + "?ascending=false&after=" + ship.getString("id"), key))));
    assertEquals(List.of(EXPENSES), texts(array(api.get(base + "?before=" + ship.getString("id"), key))));
    assertEquals(List.of(SHIP), texts(array(api.get(base + "?search=LIGHTHOUSE", key))), "the filter ignores case");
    assertEquals(List.of(), texts(array(api.get(base + "?search=" + q("100%"), key))), "% is literal");
    assertEquals(List.of(EXPENSES, SHIP), texts(array(api.get(base + "?after=&before=&search=", key))),
        "empty values are absent");
    assertEquals(List.of(), texts(array(api.get(base + "?after=" + ship.getString("id"), key))),
        "after the last passage, an empty page");
    assertError(api.get(base + "?after=passage-" + java.util.UUID.randomUUID(), key), 404, "names no passage");

    // a long text is chunked: one passage per chunk, in text order
    String longText = (EXPENSES + " ").repeat(200);
    JsonArray chunks = array(api.post(base, key, new JsonObject().put("text", longText)));
    assertTrue(chunks.size() > 1, "chunked into " + chunks.size());

    // /api shows the same passages under their bare ids
    String apiList = api.get("/api/agents/" + agent + "/archival?limit=1000", key).body();
    assertTrue(apiList.contains("\"" + ship.getString("id").substring("passage-".length()) + "\""), apiList);
    assertEquals(2 + chunks.size(), count(key, agent));

    Api.Response deleted = api.delete(base + "/" + ship.getString("id"), key);
    assertEquals(200, deleted.status(), deleted.body());
    assertTrue(deleted.json().getString("message").contains(ship.getString("id")));
    assertFalse(texts(array(api.get(base, key))).contains(SHIP));
    assertError(api.delete(base + "/" + ship.getString("id"), key), 404, "not found");
  }

  @Test
  @DisplayName("search ranks over the hybrid index and filters by tags (any or all) and by dates (ISO or days)")
  void searchWithFilters() {
    String key = api.newUser().getString("api_key");
    String agent = api.newAgent(key, "searcher");
    JsonObject ship = insert(key, agent, new JsonObject().put("text", SHIP)
        .put("tags", new JsonArray().add("sea").add("work")));
    JsonObject expenses = insert(key, agent, new JsonObject().put("text", EXPENSES)
        .put("tags", new JsonArray().add("work")).put("created_at", "2020-01-02T12:00:00+02:00"));
    String base = "/v1/agents/agent-" + agent + "/archival-memory/search?query=";

    JsonObject found = api.get(base + q("when are expense reports due") + "&top_k=1", key).json();
    assertEquals(1, found.getInteger("count"));
    JsonObject top = found.getJsonArray("results").getJsonObject(0);
    assertEquals(expenses.getString("id"), top.getString("id"));
    assertEquals(EXPENSES, top.getString("content"));
    assertEquals("2020-01-02T10:00:00.000000+00:00", top.getString("timestamp"));
    assertEquals(new JsonArray().add("work"), top.getJsonArray("tags"));
    assertTrue(top.getJsonObject("relevance").getDouble("score") > 0, top::encode);
    assertEquals(2, api.get(base + "ship", key).json().getInteger("count"), "top_k defaults to 5");

    assertEquals(List.of(ship.getString("id")), ids(api.get(base + q("expense reports") + "&tags=sea", key)));
    assertEquals(2, ids(api.get(base + "ship&tags=sea&tags=work", key)).size(), "any of the tags");
    assertEquals(List.of(ship.getString("id")),
        ids(api.get(base + "ship&tags=sea&tags=work&tag_match_mode=all", key)));
    assertEquals(List.of(), ids(api.get(base + "ship&tags=nothing", key)));

    assertEquals(List.of(expenses.getString("id")), ids(api.get(base + "ship&end_datetime=2020-01-02", key)),
        "a day as the end includes the whole day");
    assertEquals(List.of(), ids(api.get(base + "ship&end_datetime=2020-01-01", key)));
    assertEquals(List.of(ship.getString("id")), ids(api.get(base + "ship&start_datetime=2021-01-01T00:00:00Z", key)));
    assertEquals(List.of(expenses.getString("id")),
        ids(api.get(base + "ship&start_datetime=" + q("2020-01-02 09:00:00+00:00") + "&end_datetime=2020-01-02T11:00:00",
            key)), "Python's str(datetime) and a date-time without offset (UTC)");
  }

  private static List<String> ids(Api.Response r) {
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  @DisplayName("the MemGPT 0.4 client's /archival routes insert, list and delete the same passages")
  void memgptRoutes() {
    String key = api.newUser().getString("api_key");
    String agent = api.newAgent(key, "old-client");
    String base = "/v1/agents/agent-" + agent + "/archival";
    JsonArray stored = array(api.post(base, key, new JsonObject().put("text", SHIP)));
    String id = stored.getJsonObject(0).getString("id");
    assertTrue(id.startsWith("passage-"));
    assertEquals(List.of(SHIP), texts(array(api.get(base + "?limit=10", key))));
    assertEquals(List.of(SHIP), texts(array(api.get("/v1/agents/agent-" + agent + "/archival-memory", key))));
    assertEquals(200, api.delete(base + "/" + id, key).status());
    assertEquals(0, array(api.get(base, key)).size());
  }

  @Test
  @DisplayName("another user's agent or passage is 404 on every archival route, and nothing is stored for it")
  void isolation() {
    String owner = api.newUser().getString("api_key");
    String agent = api.newAgent(owner, "private");
    String id = insert(owner, agent, new JsonObject().put("text", SHIP)).getString("id");
    String other = api.newUser().getString("api_key");
    String otherAgent = api.newAgent(other, "mine");
    String base = "/v1/agents/agent-" + agent;

    assertError(api.post(base + "/archival-memory", other, new JsonObject().put("text", "x")), 404, "not found");
    assertError(api.get(base + "/archival-memory", other), 404, "not found");
    assertError(api.get(base + "/archival-memory/search?query=ship", other), 404, "not found");
    assertError(api.delete(base + "/archival-memory/" + id, other), 404, "not found");
    assertError(api.post(base + "/archival", other, new JsonObject().put("text", "x")), 404, "not found");
    assertError(api.get(base + "/archival", other), 404, "not found");
    assertError(api.delete(base + "/archival/" + id, other), 404, "not found");
    // the other user's own agent does not reach the passage either
    assertError(api.delete("/v1/agents/agent-" + otherAgent + "/archival-memory/" + id, other), 404, "not found");
    assertError(api.get("/v1/agents/agent-" + otherAgent + "/archival-memory?after=" + id, other), 404,
        "names no passage");
    assertError(api.get("/api/agents/" + otherAgent + "/archival?before=" + id.substring("passage-".length()), other),
        404, "names no passage");
    assertEquals(1, count(owner, agent));
  }

  @Test
  @DisplayName("bad input answers 4xx with a detail and stores nothing")
  void badInput() {
    String key = api.newUser().getString("api_key");
    String agent = api.newAgent(key, "strict");
    String base = "/v1/agents/agent-" + agent + "/archival-memory";
    assertError(api.post(base, key, "{\"text\": "), 400, "Malformed JSON");
    assertError(api.post(base, key, "[1]"), 400, "JSON object");
    assertError(api.post(base, key, new JsonObject()), 422, "text");
    assertError(api.post(base, key, new JsonObject().put("text", 42)), 422, "text");
    assertError(api.post(base, key, new JsonObject().put("text", "  ")), 422, "text");
    assertError(api.post(base, key, new JsonObject().put("text", "x").put("tags", "sea")), 422, "tags");
    assertError(api.post(base, key, new JsonObject().put("text", "x").put("tags", new JsonArray().add(1))), 422,
        "tags");
    assertError(api.post(base, key, new JsonObject().put("text", "x").put("created_at", "yesterday")), 422,
        "created_at");
    assertError(api.post(base, key, new JsonObject().put("text", "x").put("created_at", 5)), 422, "created_at");
    assertEquals(0, count(key, agent), "nothing was stored");

    assertError(api.get(base + "?limit=0", key), 422, "limit");
    assertError(api.get(base + "?limit=many", key), 422, "limit");
    assertError(api.get(base + "?ascending=maybe", key), 422, "ascending");
    assertError(api.get(base + "?after=not-an-id", key), 422, "after");
    assertError(api.get(base + "?before=1234", key), 422, "before");
    assertError(api.get(base + "/search", key), 422, "query");
    assertError(api.get(base + "/search?query=", key), 422, "query");
    assertError(api.get(base + "/search?query=x&top_k=abc", key), 422, "top_k");
    assertError(api.get(base + "/search?query=x&top_k=0", key), 422, "top_k");
    assertError(api.get(base + "/search?query=x&tag_match_mode=some", key), 422, "tag_match_mode");
    assertError(api.get(base + "/search?query=x&start_datetime=yesterday", key), 422, "start_datetime");
    assertError(api.get(base + "/search?query=x&end_datetime=2020-13-45", key), 422, "end_datetime");
    assertError(api.delete(base + "/not-a-passage", key), 404, "not found");
    assertError(api.get("/v1/agents/not-an-agent/archival-memory", key), 404, "not found");
  }
}
