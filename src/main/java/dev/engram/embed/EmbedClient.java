package dev.engram.embed;

import dev.engram.embed.EmbedProtocol.Describe;
import dev.engram.embed.EmbedProtocol.Embed;
import dev.engram.embed.EmbedProtocol.Model;
import dev.engram.embed.EmbedProtocol.Vectors;
import dev.engram.kernel.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.ArrayList;
import java.util.List;

/** Typed access to the embedding verticle over the event bus; failures arrive as {@link ApiException}. */
public final class EmbedClient {
  private final Vertx vertx;
  private final DeliveryOptions options;

  public EmbedClient(Vertx vertx) {
    this(vertx, 60_000);
  }

  public EmbedClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** One unit vector per text, in order. */
  public Future<List<float[]>> embed(List<String> texts) {
    try {
      EmbedInput.validate(texts);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    if (texts.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Embed request = new Embed(new ArrayList<>(texts));
    return EmbedProtocol.EMBED.ask(vertx, request, options).map(Vectors::vectors);
  }

  public Future<float[]> embed(String text) {
    List<String> one = new ArrayList<>(1);
    one.add(text);
    return embed(one).map(vectors -> vectors.get(0));
  }

  /** The model name and dimension the verticle serves. */
  public Future<Model> model() {
    return EmbedProtocol.MODEL.ask(vertx, new Describe(), options);
  }
}
