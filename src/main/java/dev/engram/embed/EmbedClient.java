package dev.engram.embed;

import dev.engram.kernel.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/** Typed access to the embedding verticle over the event bus. */
public final class EmbedClient {
  private final Vertx vertx;
  private final DeliveryOptions options;

  public EmbedClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  public Future<List<float[]>> embed(List<String> texts) {
    if (texts.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return vertx.eventBus().<EmbedProtocol.Vectors>request(Addresses.EMBED, new EmbedProtocol.Embed(texts), options)
        .map(m -> m.body().vectors());
  }

  public Future<float[]> embed(String text) {
    return embed(List.of(text)).map(v -> v.get(0));
  }

  public Future<EmbedProtocol.Model> model() {
    return vertx.eventBus().<EmbedProtocol.Model>request(Addresses.EMBED_MODEL, new EmbedProtocol.Describe(), options)
        .map(m -> m.body());
  }
}
