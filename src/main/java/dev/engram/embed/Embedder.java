package dev.engram.embed;

import io.vertx.core.Future;
import java.util.List;

/**
 * Turns texts into vectors of {@link #dimension()} floats, unit length (so a dot product is the cosine).
 * Implementations are thread-safe and never block the calling event loop: heavy work runs on their own workers.
 */
public interface Embedder extends AutoCloseable {

  /** The model name stored beside every vector, e.g. {@code all-MiniLM-L6-v2}. */
  String model();

  int dimension();

  /** One vector per text, in the order given. */
  Future<List<float[]>> embed(List<String> texts);

  /** Reports each batch this embedder runs, if it batches requests together (the local model does). */
  default void observe(MicroBatcher.Observer observer) {}

  @Override
  default void close() {}
}
