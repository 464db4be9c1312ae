package dev.engram.index;

import io.vertx.core.Vertx;
import java.nio.file.Path;

/** Picks the index backend from the configuration. */
public final class Indexes {
  private Indexes() {}

  /**
   * The index called {@code name} ({@code archival}, {@code recall}): Lucene in {@code home/index/<name>}, or (with
   * {@code VECTOR_INDEX=weaviate}) a Weaviate collection named after the configured one and {@code name}.
   */
  public static PassageIndex create(Vertx vertx, IndexSettings settings, Path home, String name) {
    return new LuceneIndex(vertx, home.resolve("index").resolve(name));
  }
}
