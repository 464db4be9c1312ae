package dev.engram.observe;

import io.vertx.core.VertxOptions;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import java.util.function.UnaryOperator;

/**
 * Vert.x metrics (from {@code inner}, Micrometer's) with every event-bus address folded by {@code fold} before the
 * meters see it. Each run streams its events on an address of its own ({@code agent.run.<id>.events}); Micrometer
 * keeps every distinct tag set it is asked for in a map that is never pruned, and runs its meter filters for each new
 * one, so a label alias applied by a filter (which is how Vert.x's label matches work) still costs a map entry and a
 * filter pass per run, for the life of the process. Folding the address first keeps the tag sets few and fixed.
 */
public final class FoldedAddressMetrics implements VertxMetricsFactory {
  private final VertxMetricsFactory inner;
  private final UnaryOperator<String> fold;

  public FoldedAddressMetrics(VertxMetricsFactory inner, UnaryOperator<String> fold) {
    this.inner = inner;
    this.fold = fold;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new Folded(inner.metrics(options), fold);
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return inner.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions() {
    return inner.newOptions();
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return inner.newOptions(json);
  }

  /** The inner metrics, with the event bus's wrapped; everything else passed through. */
  private record Folded(VertxMetrics inner, UnaryOperator<String> fold) implements VertxMetrics {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public EventBusMetrics<?> createEventBusMetrics() {
      EventBusMetrics bus = inner.createEventBusMetrics();
      return bus == null ? null : new FoldedBus<>(bus, fold);
    }

    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress local) {
      return inner.createHttpServerMetrics(options, local);
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remote, String type, String namespace) {
      return inner.createClientMetrics(remote, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
      return inner.createHttpClientMetrics(options);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress local) {
      return inner.createNetServerMetrics(options, local);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return inner.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return inner.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return inner.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      inner.vertxCreated(vertx);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** Event-bus metrics that hand {@code inner} the folded address. */
  record FoldedBus<H>(EventBusMetrics<H> inner, UnaryOperator<String> fold) implements EventBusMetrics<H> {
    @Override
    public H handlerRegistered(String address) {
      return inner.handlerRegistered(fold.apply(address));
    }

    @Override
    public void handlerUnregistered(H handler) {
      inner.handlerUnregistered(handler);
    }

    @Override
    public void scheduleMessage(H handler, boolean local) {
      inner.scheduleMessage(handler, local);
    }

    @Override
    public void discardMessage(H handler, boolean local, Message<?> msg) {
      inner.discardMessage(handler, local, msg);
    }

    @Override
    public void messageDelivered(H handler, boolean local) {
      inner.messageDelivered(handler, local);
    }

    @Override
    public void messageSent(String address, boolean publish, boolean local, boolean remote) {
      inner.messageSent(fold.apply(address), publish, local, remote);
    }

    @Override
    public void messageReceived(String address, boolean publish, boolean local, int handlers) {
      inner.messageReceived(fold.apply(address), publish, local, handlers);
    }

    @Override
    public void messageWritten(String address, int numberOfBytes) {
      inner.messageWritten(fold.apply(address), numberOfBytes);
    }

    @Override
    public void messageRead(String address, int numberOfBytes) {
      inner.messageRead(fold.apply(address), numberOfBytes);
    }

    @Override
    public void replyFailure(String address, ReplyFailure failure) {
      inner.replyFailure(fold.apply(address), failure);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
