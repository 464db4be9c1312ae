package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every operator of Mem0's filter language over metadata and scope keys, through POST /search. */
class MemoryFiltersTest {
  private static Api api;
  private static MemoryApi mem;
  private static String key;
  private static String user;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
    mem = new MemoryApi(api);
    key = api.newUser().getString("api_key");
    user = "filters-" + System.nanoTime();
    add("agent-a", "Pizza night every Friday", new JsonObject().put("category", "food").put("rating", 5)
        .put("tags", new JsonArray().add("weekly").add("Friends")));
    add("agent-a", "Allergic to penicillin", new JsonObject().put("category", "health").put("rating", 2));
    add("agent-b", "Loves sushi and ramen", new JsonObject().put("category", "Food").put("rating", 4)
        .put("note", "Japanese cuisine"));
    add("agent-b", "Runs marathons", new JsonObject().put("category", "sport").put("rating", 3.5));
  }

  private static void add(String agent, String text, JsonObject metadata) {
    mem.add(key, new JsonObject().put("user_id", user).put("agent_id", agent).put("infer", false)
        .put("metadata", metadata).put("messages", MemoryApi.turns("user", text)));
  }

  private static Set<String> matching(JsonObject filters) {
    JsonArray results = mem.search(key, new JsonObject().put("query", "anything about me").put("user_id", user)
        .put("filters", filters)).getJsonArray("results");
    return results.stream().map(o -> ((JsonObject) o).getString("memory")).collect(Collectors.toSet());
  }

  private static JsonObject op(String key, String op, Object value) {
    return new JsonObject().put(key, new JsonObject().put(op, value));
  }

  @Test
  @DisplayName("equality, eq and ne on metadata and on scope keys")
  void equality() {
    assertEquals(Set.of("Pizza night every Friday"), matching(new JsonObject().put("category", "food")));
    assertEquals(Set.of("Pizza night every Friday"), matching(op("category", "eq", "food")));
    assertEquals(Set.of("Loves sushi and ramen", "Runs marathons"), matching(new JsonObject().put("agent_id",
        "agent-b")));
    assertEquals(Set.of("Allergic to penicillin", "Loves sushi and ramen", "Runs marathons"),
        matching(op("category", "ne", "food")));
    assertEquals(Set.of("Pizza night every Friday"), matching(op("rating", "eq", 5)));
  }

  @Test
  @DisplayName("gt, gte, lt, lte compare numbers as numbers (and never across types)")
  void comparisons() {
    assertEquals(Set.of("Pizza night every Friday", "Loves sushi and ramen"), matching(op("rating", "gt", 3.5)));
    assertEquals(Set.of("Pizza night every Friday", "Loves sushi and ramen", "Runs marathons"),
        matching(op("rating", "gte", 3.5)));
    assertEquals(Set.of("Allergic to penicillin"), matching(op("rating", "lt", 3)));
    assertEquals(Set.of("Allergic to penicillin", "Runs marathons"), matching(op("rating", "lte", 3.5)));
    assertEquals(Set.of(), matching(op("category", "gt", 1)), "a string is neither above nor below a number");
  }

  @Test
  @DisplayName("in, nin, contains, icontains (strings and lists) and * (key present)")
  void sets() {
    assertEquals(Set.of("Pizza night every Friday", "Runs marathons"),
        matching(op("category", "in", new JsonArray().add("food").add("sport"))));
    assertEquals(Set.of("Allergic to penicillin", "Loves sushi and ramen"),
        matching(op("category", "nin", new JsonArray().add("food").add("sport"))));
    assertEquals(Set.of("Loves sushi and ramen"), matching(op("note", "contains", "Japan")));
    assertEquals(Set.of(), matching(op("note", "contains", "japan")), "contains is case-sensitive");
    assertEquals(Set.of("Loves sushi and ramen"), matching(op("note", "icontains", "japan")));
    assertEquals(Set.of("Pizza night every Friday", "Loves sushi and ramen"),
        matching(op("category", "icontains", "FOOD")));
    assertEquals(Set.of("Pizza night every Friday"), matching(op("tags", "contains", "weekly")));
    assertEquals(Set.of("Pizza night every Friday"), matching(op("tags", "icontains", "friends")));
    assertEquals(Set.of("Pizza night every Friday"), matching(new JsonObject().put("tags", "*")));
  }

  @Test
  @DisplayName("AND, OR and NOT combine filters; several keys in one object must all hold")
  void logic() {
    assertEquals(Set.of("Loves sushi and ramen"), matching(new JsonObject().put("AND", new JsonArray()
        .add(op("rating", "gte", 3)).add(new JsonObject().put("agent_id", "agent-b")).add(op("note", "contains", "")))));
    assertEquals(Set.of("Allergic to penicillin", "Runs marathons"), matching(new JsonObject().put("OR",
        new JsonArray().add(new JsonObject().put("category", "health")).add(new JsonObject().put("category", "sport")))));
    assertEquals(Set.of("Allergic to penicillin", "Loves sushi and ramen", "Runs marathons"),
        matching(new JsonObject().put("NOT", new JsonArray().add(new JsonObject().put("category", "food")))));
    assertEquals(Set.of("Runs marathons"), matching(new JsonObject().put("agent_id", "agent-b")
        .put("rating", new JsonObject().put("lt", 4))));
  }

  @Test
  @DisplayName("malformed filters are a 400 that says what is wrong")
  void malformed() {
    for (JsonObject bad : List.of(op("rating", "between", 1), op("category", "in", "food"),
        op("note", "contains", 3), new JsonObject().put("AND", "x"), new JsonObject().put("rating", new JsonObject()),
        new JsonObject().put("category", new JsonArray().add("a")))) {
      Api.Response r = api.post("/search", key, new JsonObject().put("query", "x").put("user_id", user)
          .put("filters", bad));
      assertEquals(400, r.status(), bad.encode() + " -> " + r.body());
      assertTrue(r.detail().startsWith("Invalid filters: "), r.detail());
    }
  }

  @Test
  @DisplayName("filters beyond 100 conditions, 1,000 in/nin values or 8 levels of AND/OR/NOT are a 400 naming the"
      + " limit, however far beyond; at the limits they work")
  void bounded() {
    JsonArray atLimit = new JsonArray();
    for (int i = 0; i < 99; i++) {
      atLimit.add(new JsonObject().put("k" + i, i));
    }
    atLimit.add(new JsonObject().put("category", "health"));
    assertEquals(Set.of("Allergic to penicillin"), matching(new JsonObject().put("OR", atLimit)));
    assertEquals(Set.of("Allergic to penicillin"), matching(nested(8)));

    for (int conditions : List.of(101, 40_000)) {
      JsonArray or = new JsonArray();
      for (int i = 0; i < conditions; i++) {
        or.add(new JsonObject().put("k" + i, i));
      }
      assertInvalid(new JsonObject().put("OR", or), "at most 100 conditions");
    }
    JsonObject manyKeys = new JsonObject();
    for (int i = 0; i <= 100; i++) {
      manyKeys.put("k" + i, i);
    }
    assertInvalid(manyKeys, "at most 100 conditions");
    JsonArray values = new JsonArray();
    for (int i = 0; i <= 1000; i++) {
      values.add(i);
    }
    assertInvalid(op("rating", "in", values), "at most 1000 values");
    assertInvalid(nested(9), "at most 8 levels");
    assertInvalid(new JsonObject().put("AND", new JsonArray().add(new JsonObject())), "must not be empty");

    // 990 NOT deep (its own object each, within what the JSON reader takes) overflowed the stack before
    StringBuilder chain = new StringBuilder("{\"category\": \"food\"}");
    for (int i = 0; i < 990; i++) {
      chain.insert(0, "{\"NOT\": ").append('}');
    }
    Api.Response deep = api.post("/search", key, "{\"query\": \"x\", \"user_id\": \"" + user + "\", \"filters\": "
        + chain + "}");
    assertEquals(400, deep.status(), deep.body());
    assertTrue(deep.detail().contains("at most 8 levels"), deep.detail());
    // deeper than the JSON reader takes (1,000 levels): a body it cannot read
    for (int i = 0; i < 4010; i++) {
      chain.insert(0, "{\"NOT\": ").append('}');
    }
    Api.Response deeper = api.post("/search", key, "{\"query\": \"x\", \"user_id\": \"" + user
        + "\", \"filters\": " + chain + "}");
    assertEquals(400, deeper.status(), deeper.body());
  }

  /** {@code depth} levels of NOT(NOT(...)) around category = health (an even number of NOTs keeps its meaning). */
  private static JsonObject nested(int depth) {
    JsonObject filter = new JsonObject().put("category", "health");
    for (int i = 0; i < depth; i++) {
      filter = new JsonObject().put(i % 2 == 0 ? "NOT" : "not", new JsonArray().add(filter));
    }
    return filter;
  }

  private static void assertInvalid(JsonObject filters, String mentions) {
    Api.Response r = api.post("/search", key, new JsonObject().put("query", "x").put("user_id", user)
        .put("filters", filters));
    assertEquals(400, r.status(), () -> r.body().length() > 300 ? r.body().substring(0, 300) : r.body());
    assertTrue(r.detail().startsWith("Invalid filters: ") && r.detail().contains(mentions), r.detail());
  }
}
