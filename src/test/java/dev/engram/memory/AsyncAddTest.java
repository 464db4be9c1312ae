package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.SseStream;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Mem0's asynchronous add (async_mode) through real HTTP with the scripted model: the raw messages are searchable
 * when the add answers, the extracted facts replace them, the outcome is polled (classic and platform routes), pushed
 * over SSE and POSTed to a webhook (retried after a refusal), a FAILED extraction keeps the raw messages, an extraction
 * cut off by a stop resumes at the next start, and one user never sees another's events.
 */
class AsyncAddTest {
  private static Api api;
  private static ScriptedLlm llm;
  private static String alice;
  private static String bob;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi();
    llm = TestServer.llm();
    alice = api.newUser().getString("api_key");
    bob = api.newUser().getString("api_key");
  }

  @BeforeEach
  void resetModel() {
    llm.reset();
  }

  private static String scope(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The model's two answers: the facts, then an ADD of each. */
  private static void scriptFacts(long extractionDelayMs, String... facts) {
    JsonArray decisions = new JsonArray();
    for (String f : facts) {
      decisions.add(new JsonObject().put("id", "new").put("text", f).put("event", "ADD"));
    }
    llm.enqueue(Step.text(new JsonObject().put("facts", new JsonArray(List.of((Object[]) facts))).encode())
        .after(extractionDelayMs));
    llm.enqueue(Step.text(new JsonObject().put("memory", decisions).encode()));
  }

  /** POST /memories with async_mode; asserts the queued answer and returns the event id. */
  private static String addAsync(Api client, String key, String user, String text) {
    Api.Response r = client.post("/memories", key, new JsonObject().put("messages", text).put("user_id", user)
        .put("async_mode", true));
    assertEquals(200, r.status(), r.body());
    JsonObject queued = r.json().getJsonArray("results").getJsonObject(0);
    assertEquals("PENDING", queued.getString("status"));
    assertEquals(1, r.json().getJsonArray("results").size());
    return queued.getString("event_id");
  }

  /** Polls the event until it has settled; returns it. */
  static JsonObject settled(Api client, String key, String path) throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      Api.Response r = client.get(path, key);
      assertEquals(200, r.status(), r.body());
      String status = r.json().getString("status");
      if (status.equals("SUCCEEDED") || status.equals("FAILED")) {
        return r.json();
      }
      Thread.sleep(25);
    }
    throw new AssertionError("event did not settle: " + client.get(path, key).body());
  }

  private static List<String> found(String key, String user, String query) {
    JsonObject r = api.post("/search", key, new JsonObject().put("query", query).put("user_id", user)).json();
    return r.getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("memory")).toList();
  }

  private static List<String> listed(String key, String user) {
    return api.get("/memories?user_id=" + user, key).json().getJsonArray("results").stream()
        .map(o -> ((JsonObject) o).getString("memory")).sorted().toList();
  }

  @Test
  @DisplayName("the raw message is searchable when the add answers; the extracted facts replace it, and the event"
      + " tells what the add did")
  void searchableAtOnceThenReplaced() throws InterruptedException {
    String user = scope("async");
    String text = "I love green tea and I live in Lisbon.";
    scriptFacts(600, "Loves green tea", "Lives in Lisbon");
    String eventId = addAsync(api, alice, user, text);

    JsonObject hit = api.post("/search", alice, new JsonObject().put("query", "green tea").put("user_id", user))
        .json().getJsonArray("results").getJsonObject(0);
    assertEquals(text, hit.getString("memory"), "the raw message answers a search before any fact exists");
    assertEquals(eventId, hit.getString("pending_event_id"));
    assertEquals("add", hit.getJsonObject("provenance").getString("kind"), "a raw message names the add it came in");
    JsonObject pending = api.get("/events/" + eventId, alice).json();
    assertTrue(List.of("PENDING", "RUNNING").contains(pending.getString("status")), pending.encode());
    assertEquals(text, pending.getJsonObject("payload").getJsonArray("messages").getJsonObject(0)
        .getString("content"));

    JsonObject done = settled(api, alice, "/events/" + eventId);
    assertEquals("SUCCEEDED", done.getString("status"), done.encode());
    assertEquals(List.of("ADD", "ADD"), done.getJsonArray("results").stream()
        .map(o -> ((JsonObject) o).getString("event")).toList());
    assertEquals(List.of("Lives in Lisbon", "Loves green tea"), done.getJsonArray("results").stream()
        .map(o -> ((JsonObject) o).getJsonObject("data").getString("memory")).sorted().toList());
    assertNotNull(done.getString("completed_at"));
    assertTrue(done.getLong("latency") >= 0);

    assertEquals(List.of("Lives in Lisbon", "Loves green tea"), listed(alice, user), "the raw message is gone");
    assertEquals(List.of("Loves green tea"), found(alice, user, "green tea").subList(0, 1));
    assertFalse(found(alice, user, "green tea").contains(text));
    // the facts have their history; the raw message left none
    String teaId = done.getJsonArray("results").stream().map(o -> (JsonObject) o)
        .filter(r -> r.getString("memory").equals("Loves green tea")).findFirst().orElseThrow().getString("id");
    assertEquals(List.of("ADD"), new MemoryApi(api).history(alice, teaId).stream()
        .map(o -> ((JsonObject) o).getString("event")).toList());
  }

  @Test
  @DisplayName("concurrent asynchronous adds of two users (written together in batches) each answer their own event,"
      + " each raw message is searchable at once, and each user ends with exactly the facts of their own adds")
  void concurrentAddsAreEachTheirOwn() throws Exception {
    llm.fallback(request -> {
      JsonArray messages = request.getJsonArray("messages");
      String prompt = messages.getJsonObject(messages.size() - 1).getString("content");
      int at = prompt.lastIndexOf("New facts:");
      if (at >= 0) {
        JsonArray decisions = new JsonArray();
        for (Object fact : new JsonArray(prompt.substring(at + "New facts:".length()).strip())) {
          decisions.add(new JsonObject().put("id", "new").put("text", fact).put("event", "ADD"));
        }
        return Step.text(new JsonObject().put("memory", decisions).encode());
      }
      JsonArray facts = new JsonArray();
      for (String line : prompt.split("\n")) {
        if (line.startsWith("user: ")) {
          facts.add("Said " + line.substring("user: ".length()));
        }
      }
      return Step.text(new JsonObject().put("facts", facts).encode());
    });
    String user = scope("batch");
    int perKey = 12;
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<String>> events = new java.util.ArrayList<>();
      for (int i = 0; i < perKey; i++) {
        for (String key : List.of(alice, bob)) {
          String text = (key.equals(alice) ? "alice" : "bob") + " keeps note " + i + " of the batch";
          events.add(pool.submit(() -> {
            String eventId = addAsync(api, key, user, text);
            List<String> hits = found(key, user, text);
            assertTrue(hits.stream().anyMatch(m -> m.equals(text) || m.equals("Said " + text)),
                "searchable when the add answers: " + text + "; found " + hits + "; the event: "
                    + api.get("/events/" + eventId, key).body());
            return eventId;
          }));
        }
      }
      java.util.Set<String> ids = new java.util.HashSet<>();
      for (int n = 0; n < events.size(); n++) {
        String key = n % 2 == 0 ? alice : bob;
        String eventId = events.get(n).get();
        assertTrue(ids.add(eventId), "one event per add");
        assertEquals("SUCCEEDED", settled(api, key, "/events/" + eventId).getString("status"));
        assertEquals(404, api.get("/events/" + eventId, key.equals(alice) ? bob : alice).status(),
            "another user's event");
      }
    } finally {
      pool.shutdownNow();
    }
    for (String key : List.of(alice, bob)) {
      String who = key.equals(alice) ? "alice" : "bob";
      List<String> expected = new java.util.ArrayList<>();
      for (int i = 0; i < perKey; i++) {
        expected.add("Said " + who + " keeps note " + i + " of the batch");
      }
      expected.sort(null);
      assertEquals(expected, listed(key, user), "the facts of this user's adds, raw messages replaced");
    }
  }

  @Test
  @DisplayName("searches while the facts replace the raw message find the one or the other, never both or neither")
  void neverBothNorNeither() throws Exception {
    String user = scope("swap");
    String text = "My sister Ana lives in Madrid and works as a nurse.";
    List<String> facts = List.of("Sister is called Ana", "Sister lives in Madrid", "Sister works as a nurse");
    scriptFacts(400, facts.toArray(String[]::new));
    String eventId = addAsync(api, alice, user, text);
    List<String> wrong = new CopyOnWriteArrayList<>();
    AtomicInteger rawSeen = new AtomicInteger();
    AtomicInteger factsSeen = new AtomicInteger();
    // a few searchers at once, so that some read the index just before the swap and the rows just after it
    List<CompletableFuture<Void>> searchers = new java.util.ArrayList<>();
    for (int s = 0; s < 3; s++) {
      searchers.add(CompletableFuture.runAsync(() -> {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int afterwards = 0;
        // until the facts have been seen a while: the swap happens somewhere in between
        while (System.nanoTime() < until && afterwards < 30) {
          List<String> hits = found(alice, user, "Where does my sister live?");
          boolean raw = hits.contains(text);
          boolean fact = hits.stream().anyMatch(facts::contains);
          if (raw == fact) {
            wrong.add(hits.toString());
          }
          (raw ? rawSeen : factsSeen).incrementAndGet();
          afterwards += fact ? 1 : 0;
        }
      }));
    }
    CompletableFuture.allOf(searchers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertEquals(List.of(), wrong, "searches that saw both or neither");
    assertTrue(rawSeen.get() > 0 && factsSeen.get() >= 90, rawSeen + " raw, " + factsSeen + " facts");
    assertEquals("SUCCEEDED", settled(api, alice, "/events/" + eventId).getString("status"));
  }

  @Test
  @DisplayName("the platform's async add answers the queued event in its shape, GET /v1/event/{id}/ polls it, and"
      + " the caller's SSE stream receives it when it settles")
  void platformShapeAndStream() throws Exception {
    String user = scope("platform");
    scriptFacts(300, "Plays the cello");
    try (SseStream.Open stream = SseStream.open(api.base(), "/events/stream", alice)) {
      assertEquals(200, stream.status());
      assertTrue(stream.contentType().startsWith("text/event-stream"), stream.contentType());
      CompletableFuture<SseStream.Event> received = CompletableFuture.supplyAsync(() -> {
        try {
          return stream.next();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      Api.Response r = api.post("/v1/memories/", alice, new JsonObject().put("user_id", user).put("async_mode", true)
          .put("messages", MemoryApi.turns("user", "I play the cello.")));
      assertEquals(200, r.status(), r.body());
      JsonArray list = new JsonArray(r.body());
      assertEquals(1, list.size());
      JsonObject queued = list.getJsonObject(0);
      assertEquals(Map.of("message", "Memory processing has been queued for background execution",
          "status", "PENDING", "event_id", queued.getString("event_id")), queued.getMap());
      String eventId = queued.getString("event_id");

      SseStream.Event event = received.get(20, TimeUnit.SECONDS);
      assertEquals("add_event", event.event());
      assertEquals(eventId, event.json().getString("id"));
      assertEquals("SUCCEEDED", event.json().getString("status"));
      assertEquals("Plays the cello", event.json().getJsonArray("results").getJsonObject(0).getString("memory"));

      JsonObject polled = api.get("/v1/event/" + eventId + "/", alice).json();
      assertEquals("SUCCEEDED", polled.getString("status"));
      assertEquals("ADD", polled.getString("event_type"));
      assertEquals(event.json().getJsonArray("results"), polled.getJsonArray("results"));
    }
    // a stream for one event that has settled already: sent at once, then the stream ends
    scriptFacts(0, "Sings in a choir");
    JsonObject v3 = api.post("/v3/memories/add/", alice, new JsonObject().put("user_id", user)
        .put("async_mode", true).put("messages", MemoryApi.turns("user", "I sing in a choir."))).json();
    assertEquals("PENDING", v3.getString("status"));
    String second = v3.getString("event_id");
    settled(api, alice, "/v1/event/" + second);
    try (SseStream.Open one = SseStream.open(api.base(), "/events/stream?event_id=" + second, alice)) {
      assertEquals(second, one.next().json().getString("id"));
      assertNull(one.next(), "the stream of one event ends with it");
    }
  }

  @Test
  @DisplayName("a webhook receives the settled add, signed with its secret, after a first refused delivery")
  void webhookRetried() throws Exception {
    List<String> bodies = new CopyOnWriteArrayList<>();
    List<String> signatures = new CopyOnWriteArrayList<>();
    List<String> attempts = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      bodies.add(new String(body, StandardCharsets.UTF_8));
      signatures.add(exchange.getRequestHeaders().getFirst("X-Engram-Signature"));
      attempts.add(exchange.getRequestHeaders().getFirst("X-Engram-Delivery-Attempt"));
      int status = calls.incrementAndGet() == 1 ? 503 : 204;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    receiver.start();
    try {
      String carol = api.newUser().getString("api_key");
      String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
      Api.Response created = api.post("/api/v1/webhooks/projects/default/", carol, new JsonObject()
          .put("name", "adds").put("url", url).put("event_types", new JsonArray().add("memory_add")));
      assertEquals(201, created.status(), created.body());
      String secret = created.json().getString("secret");
      String webhookId = created.json().getString("webhook_id");
      assertEquals(1, new JsonArray(api.get("/api/v1/webhooks/projects/default/", carol).body()).size());
      assertEquals(404, api.delete("/api/v1/webhooks/" + webhookId + "/", bob).status(), "another user's webhook");

      scriptFacts(0, "Keeps bees");
      String eventId = addAsync(api, carol, scope("hook"), "I keep bees.");
      for (int i = 0; i < 400 && bodies.size() < 2; i++) {
        Thread.sleep(25);
      }
      assertEquals(2, bodies.size(), "one refused delivery, then the retry");
      assertEquals(List.of("1", "2"), attempts);
      JsonObject delivered = new JsonObject(bodies.get(1));
      assertEquals(eventId, delivered.getString("id"));
      assertEquals("SUCCEEDED", delivered.getString("status"));
      assertEquals("Keeps bees", delivered.getJsonArray("results").getJsonObject(0).getString("memory"));
      assertEquals("sha256=" + hmac(secret, bodies.get(1)), signatures.get(1));

      assertEquals(200, api.delete("/api/v1/webhooks/" + webhookId + "/", carol).status());
      assertEquals(0, new JsonArray(api.get("/api/v1/webhooks/projects/default/", carol).body()).size());
    } finally {
      receiver.stop(0);
    }
  }

  private static String hmac(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  @DisplayName("when the model's answer is unusable the event ends FAILED with the reason, and the raw message stays")
  void failedKeepsTheRawMessage() throws InterruptedException {
    String user = scope("failed");
    llm.enqueue(Step.text("I cannot do that."));
    String eventId = addAsync(api, alice, user, "I moved to Porto.");
    JsonObject done = settled(api, alice, "/events/" + eventId);
    assertEquals("FAILED", done.getString("status"));
    assertTrue(done.getString("error").contains("fact extraction"), done.getString("error"));
    assertEquals(List.of("I moved to Porto."), listed(alice, user));
    assertEquals("I moved to Porto.", found(alice, user, "Porto").get(0));
  }

  @Test
  @DisplayName("another user's event is 404 to poll and to stream; bad input is refused")
  void isolationAndBadInput() throws InterruptedException, IOException {
    scriptFacts(0, "Likes chess");
    String eventId = addAsync(api, alice, scope("iso"), "I like chess.");
    settled(api, alice, "/events/" + eventId);
    assertEquals(404, api.get("/events/" + eventId, bob).status());
    assertEquals(404, api.get("/v1/event/" + eventId + "/", bob).status());
    assertEquals(404, api.get("/events/" + UUID.randomUUID(), alice).status());
    assertEquals(404, api.get("/events/not-an-id", alice).status());
    try (SseStream.Open stream = SseStream.open(api.base(), "/events/stream?event_id=" + eventId, bob)) {
      assertEquals(404, stream.status());
      assertNotNull(new JsonObject(stream.body()).getString("detail"));
    }

    Api.Response noIds = api.post("/memories", alice, new JsonObject().put("messages", "hi").put("async_mode", true));
    assertEquals(400, noIds.status(), noIds.body());
    Api.Response wrongType = api.post("/memories", alice, new JsonObject().put("messages", "hi")
        .put("user_id", "u").put("async_mode", "yes"));
    assertTrue(wrongType.status() == 400 || wrongType.status() == 422, wrongType.body());
    Api.Response noMessages = api.post("/v1/memories/", alice, new JsonObject().put("user_id", "u")
        .put("async_mode", true));
    assertTrue(noMessages.status() == 400 || noMessages.status() == 422, noMessages.body());
    Api.Response badHook = api.post("/api/v1/webhooks/projects/p/", alice, new JsonObject().put("name", "x")
        .put("url", "ftp://example.com/hook"));
    assertEquals(422, badHook.status(), badHook.body());
    assertEquals(2, llm.requestCount(), "the refused adds reached no model");
  }

  @Test
  @DisplayName("an extraction cut off by a stop resumes at the next start on the same home, once")
  void resumesAfterRestart() throws InterruptedException {
    Path home = TempHomes.create("engram-async-");
    String key;
    String eventId;
    String user = scope("restart");
    llm.enqueue(Step.hang());
    try (TestServer first = TestServer.start(home, Map.of())) {
      key = first.api.newUser().getString("api_key");
      eventId = addAsync(first.api, key, user, "I live in Lisbon.");
      for (int i = 0; i < 400 && llm.requestCount() == 0; i++) {
        Thread.sleep(25);
      }
      assertEquals(1, llm.requestCount(), "the extraction was under way");
      assertEquals("RUNNING", first.api.get("/events/" + eventId, key).json().getString("status"));
    }
    // the resumed extraction's answer waits, so that the raw message is read before the facts replace it
    scriptFacts(2000, "Lives in Lisbon");
    try (TestServer second = TestServer.start(home, Map.of())) {
      assertEquals(List.of("I live in Lisbon."), second.api.get("/memories?user_id=" + user, key).json()
          .getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("memory")).toList(),
          "the raw message outlived the stop");
      JsonObject done = settled(second.api, key, "/events/" + eventId);
      assertEquals("SUCCEEDED", done.getString("status"), done.encode());
      assertEquals(List.of("Lives in Lisbon"), second.api.get("/memories?user_id=" + user, key).json()
          .getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("memory")).toList());
      Thread.sleep(200);
      assertEquals(3, llm.requestCount(), "one cut-off call, then one extraction and one decision: run once");
    }
  }
}
