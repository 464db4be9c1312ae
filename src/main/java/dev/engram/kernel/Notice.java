package dev.engram.kernel;

import io.vertx.core.Vertx;
import java.util.function.Consumer;

/**
 * A published notice of the event bus (one sender, every subscriber receives it, no reply): its address with the
 * type of its message, declared once beside the protocol that publishes it.
 */
public record Notice<T extends Record>(String address, Class<T> type) {
  public static <T extends Record> Notice<T> of(String address, Class<T> type) {
    return new Notice<>(address, type);
  }

  public void publish(Vertx vertx, T message) {
    vertx.eventBus().publish(address, message);
  }

  public void subscribe(Vertx vertx, Consumer<? super T> handler) {
    vertx.eventBus().consumer(address, msg -> handler.accept(type.cast(msg.body())));
  }
}
