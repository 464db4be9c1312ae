package dev.engram.index;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What of the Weaviate backend can be checked without a Weaviate server: settings, backend choice, failures. */
class WeaviateWiringTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    IndexFixtures.await(vertx.close());
  }

  @Test
  @DisplayName("WEAVIATE_URL and WEAVIATE_GRPC become the client's REST and gRPC endpoints")
  void endpoints() {
    var c = WeaviateConnection.config(new IndexSettings("weaviate", "https://w.example.com", "grpc.example.com:443",
        "key", "C"));
    assertEquals("https", c.scheme());
    assertEquals("w.example.com", c.httpHost());
    assertEquals(443, c.httpPort());
    assertEquals("grpc.example.com", c.grpcHost());
    assertEquals(443, c.grpcPort());
    assertNotNull(c.authentication());

    var local = WeaviateConnection.config(new IndexSettings("weaviate", "http://localhost:8080", null, null, "C"));
    assertEquals("http", local.scheme());
    assertEquals(8080, local.httpPort());
    assertEquals("localhost", local.grpcHost());
    assertEquals(WeaviateConnection.DEFAULT_GRPC_PORT, local.grpcPort());
    assertNull(local.authentication());
  }

  @Test
  @DisplayName("VECTOR_INDEX picks the backend; Lucene is the default")
  void factory() {
    var lucene = Indexes.create(vertx, new IndexSettings("lucene", null, null, null, "C"), Path.of("/nonexistent"),
        "archival");
    var weaviate = Indexes.create(vertx, new IndexSettings("weaviate", "http://127.0.0.1:1", null, null, "C"),
        Path.of("/nonexistent"), "archival");
    assertInstanceOf(LuceneIndex.class, lucene);
    assertInstanceOf(WeaviateIndex.class, weaviate);
    lucene.close();
    weaviate.close();
  }

  @Test
  @DisplayName("an unreachable Weaviate fails each call with 503 instead of failing at construction")
  void unreachable() {
    var index = new WeaviateIndex(vertx, new IndexSettings("weaviate", "http://127.0.0.1:1", "127.0.0.1:2", null,
        "EngramPassage"));
    try {
      var query = new PassageQuery(UUID.randomUUID(), Set.of(UUID.randomUUID()), "x", null, SearchMode.TEXT, 5);
      RuntimeException e = assertThrows(RuntimeException.class, () -> IndexFixtures.await(index.search(query)));
      var api = assertInstanceOf(ApiException.class, e.getCause());
      assertEquals(ErrorKind.UNAVAILABLE, api.kind());
      e = assertThrows(RuntimeException.class, () -> IndexFixtures.await(index.stats()));
      assertEquals(ErrorKind.UNAVAILABLE, assertInstanceOf(ApiException.class, e.getCause()).kind());
    } finally {
      index.close();
    }
  }
}
