package dev.engram.embed;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Picks the embedder the settings ask for: an OpenAI-compatible endpoint when a base URL is set, else the local model. */
public final class Embedders {
  private Embedders() {}

  /** The local model loads on a worker thread (about a second); the remote embedder is ready at once. */
  public static Future<Embedder> create(Vertx vertx, EmbeddingSettings settings) {
    if (settings.remote()) {
      return Future.succeededFuture(new OpenAiEmbedder(vertx, settings));
    }
    String model = settings.model();
    if (model != null && !model.isBlank() && !isLocalModel(model)) {
      return Future.failedFuture(new IllegalArgumentException("EMBEDDING_MODEL=" + model
          + " needs EMBEDDING_BASE_URL; in process only " + EmbeddingSettings.LOCAL_MODEL + " is available"));
    }
    if (settings.dimension() != EmbeddingSettings.LOCAL_DIMENSION) {
      return Future.failedFuture(new IllegalArgumentException("EMBEDDING_DIM=" + settings.dimension() + " but "
          + EmbeddingSettings.LOCAL_MODEL + " has " + EmbeddingSettings.LOCAL_DIMENSION + " dimensions"));
    }
    return vertx.executeBlocking(() -> LocalEmbedder.load(vertx, settings), false);
  }

  /** The local model by its short or its Hugging Face name. */
  static boolean isLocalModel(String model) {
    String name = model.strip();
    return name.equalsIgnoreCase(EmbeddingSettings.LOCAL_MODEL)
        || name.equalsIgnoreCase("sentence-transformers/" + EmbeddingSettings.LOCAL_MODEL);
  }
}
