package dev.engram.embed;

import dev.engram.embed.EmbedProtocol.Describe;
import dev.engram.embed.EmbedProtocol.Embed;
import dev.engram.embed.EmbedProtocol.Model;
import dev.engram.embed.EmbedProtocol.Vectors;
import dev.engram.observe.EngramMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Serves {@link EmbedProtocol#EMBED} and {@link EmbedProtocol#MODEL} from the embedder the settings choose. Deploy one
 * instance per JVM: the local model loads once in {@link #start()} (off the event loop) and batches across callers.
 */
public final class EmbeddingVerticle extends VerticleBase {
  private final EmbeddingSettings settings;
  private volatile Embedder embedder;

  public EmbeddingVerticle(EmbeddingSettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    return Embedders.create(vertx, settings).compose(created -> {
      embedder = created;
      created.observe(EngramMetrics.of(vertx)::embedBatch);
      Model model = new Model(created.model(), created.dimension());
      return Future.all(
          EmbedProtocol.EMBED.serve(vertx, (Embed r) -> created.embed(r.texts()).map(Vectors::new)),
          EmbedProtocol.MODEL.serve(vertx, (Describe r) -> Future.succeededFuture(model)));
    });
  }

  /** The embedder serving the addresses, once started (benchmarks read its counters). */
  public Embedder embedder() {
    return embedder;
  }

  @Override
  public Future<?> stop() {
    Embedder closing = embedder;
    return closing == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      closing.close();
      return null;
    }, false);
  }
}
