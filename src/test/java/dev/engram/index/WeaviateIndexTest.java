package dev.engram.index;

import io.vertx.core.Vertx;
import java.util.UUID;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The contract against a real Weaviate server (1.32+), each test in a fresh collection that is dropped afterwards.
 * Weaviate cannot run on the build machine (no Docker daemon, no binary), so this is skipped unless WEAVIATE_URL is
 * set, e.g. {@code WEAVIATE_URL=http://localhost:8080 WEAVIATE_GRPC=localhost:50051 mvn test}.
 */
@EnabledIfEnvironmentVariable(named = "WEAVIATE_URL", matches = ".+",
    disabledReason = "needs a Weaviate server: set WEAVIATE_URL (and WEAVIATE_GRPC, WEAVIATE_API_KEY if needed)")
class WeaviateIndexTest extends PassageIndexContract {

  @Override
  protected PassageIndex open(Vertx vertx) {
    String collection = "EngramTest" + UUID.randomUUID().toString().replace("-", "");
    return new WeaviateIndex(vertx, new IndexSettings("weaviate", System.getenv("WEAVIATE_URL"),
        System.getenv("WEAVIATE_GRPC"), System.getenv("WEAVIATE_API_KEY"), collection));
  }
}
