package dev.engram.index;

import io.vertx.core.Vertx;
import java.nio.file.Path;

/** Picks the index backend from the configuration. Indexes open lazily. */
public final class Indexes {
  public static final String ARCHIVAL = "archival";

  private Indexes() {}

  /**
   * The index called {@code name} ({@code archival}, {@code recall}, {@code memories}): Lucene in {@code home/index/<name>}, or with
   * {@code VECTOR_INDEX=weaviate} the Weaviate collection {@code WEAVIATE_COLLECTION} followed by the capitalised
   * name (e.g. {@code EngramPassageArchival}).
   */
  public static PassageIndex create(Vertx vertx, IndexSettings settings, Path home, String name) {
    if (settings.weaviate()) {
      String base = settings.weaviateCollection() == null ? "EngramPassage" : settings.weaviateCollection();
      String collection = base + Character.toUpperCase(name.charAt(0)) + name.substring(1);
      return new WeaviateIndex(vertx, new IndexSettings(settings.backend(), settings.weaviateUrl(),
          settings.weaviateGrpc(), settings.weaviateApiKey(), collection, settings.exactLimit(),
          settings.oversample(), settings.hnswBeam()));
    }
    // only archival search uses BM25 feedback (hybrid mode); recall and memory indexes skip its term vectors
    LuceneTuning base = ARCHIVAL.equals(name) ? LuceneTuning.DEFAULTS
        : LuceneTuning.DEFAULTS.withFeedback(TextFeedback.Settings.OFF);
    LuceneTuning tuning = base.withExactSearch(settings.exactLimit(), settings.oversample())
        .withHnsw(base.hnswM(), settings.hnswBeam(), base.mergeWorkers());
    return new LuceneIndex(vertx, home.resolve("index").resolve(name), tuning);
  }
}
