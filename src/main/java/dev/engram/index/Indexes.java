package dev.engram.index;

import io.vertx.core.Vertx;
import java.nio.file.Path;

/** Picks the archival index backend from the configuration. */
public final class Indexes {
  private Indexes() {}

  /** Weaviate when {@code VECTOR_INDEX=weaviate}, else Lucene in {@code home/index/lucene}. Opens lazily. */
  public static PassageIndex create(Vertx vertx, IndexSettings settings, Path home) {
    return settings.weaviate()
        ? new WeaviateIndex(vertx, settings)
        : new LuceneIndex(vertx, home.resolve("index").resolve("lucene"));
  }
}
