package dev.engram.boot;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The warm-up after a start (WARMUP=true; off by default). */
class WarmupTest {
  private static final String DEFAULT_USER = "00000000-0000-0000-0000-000000000000";
  private static final Pattern EMBED_BATCHES = Pattern.compile("(?m)^engram_embed_batch_size_count\\S* (\\S+)$");

  @Test
  @DisplayName("the warm-up runs the local embedder, stores nothing, and the server answers as before")
  void warmsUpWithoutStoring() throws Exception {
    try (TestServer server = TestServer.start(TempHomes.create("engram-warmup-"), Map.of("WARMUP", "true"))) {
      server.server().warmedUp().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      Api api = server.checkedApi();

      Api.Response metrics = api.get("/metrics", null);
      assertEquals(200, metrics.status(), metrics.body());
      Matcher batches = EMBED_BATCHES.matcher(metrics.body());
      assertTrue(batches.find(), "no embedding batch count in /metrics");
      assertTrue(Double.parseDouble(batches.group(1)) >= 1, "the warm-up ran no embedding: " + batches.group());

      Api.Response users = api.get("/admin/users", TestServer.ADMIN);
      assertEquals(200, users.status(), users.body());
      // every home has its default user (the one of requests without a key), and no other until one is made
      assertEquals(new JsonArray().add(new JsonObject().put("user_id", DEFAULT_USER)),
          users.json().getJsonArray("user_list"), "the warm-up stored a user");

      String key = api.newUser().getString("api_key");
      String agent = api.newAgent(key, "after-warmup");
      assertEquals(200, api.get("/api/agents/" + agent + "/config", key).status());
    }
  }
}
