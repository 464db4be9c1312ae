package dev.engram.archival;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import dev.engram.testkit.TempHomes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The index is derived from PostgreSQL: deleting its folder loses nothing. */
class IndexRebuildTest {
  @Test
  @DisplayName("after the index folder is deleted, a restart rebuilds it and search finds every passage again")
  void rebuiltAfterFolderDeleted() throws Exception {
    Path home = TempHomes.create("engram-index-");
    String key;
    String agent;
    String id;
    TestServer first = TestServer.start(home, Map.of());
    try {
      Api api = first.api;
      key = api.newUser().getString("api_key");
      agent = api.newAgent(key, "Phoenix");
      id = api.post("/api/agents/" + agent + "/archival", key,
          new JsonObject().put("content", "The spare tyre is in the garage, behind the bicycles.")).json()
          .getJsonArray("ids").getString(0);
      api.post("/api/agents/" + agent + "/archival", key,
          new JsonObject().put("content", "Grandmother's birthday is on the third of March."));
    } finally {
      first.close();
    }
    Path index = home.resolve("index");
    assertTrue(Files.isDirectory(index), "the index lives in ENGRAM_HOME/index");
    deleteTree(index);

    TestServer second = TestServer.start(home, Map.of());
    try {
      JsonArray found = second.api.get("/api/agents/" + agent + "/archival?query=where+is+the+spare+wheel", key)
          .json().getJsonArray("archival_memory");
      assertEquals(id, found.getJsonObject(0).getString("id"), found.encode());
      JsonArray text = second.api.get("/api/agents/" + agent + "/archival?mode=text&query=grandmother", key)
          .json().getJsonArray("archival_memory");
      assertEquals(1, text.size(), text.encode());
    } finally {
      second.close();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
