package dev.engram.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
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
 * Vert.x's metrics: Micrometer's ({@code inner}), except the event bus's, which are {@link EventBusMeters} with every
 * address folded by {@code fold} first, and the HTTP servers', which are guarded by {@link HttpServerMeters}. Each
 * run streams its events on an address of its own ({@code agent.run.<id>.events}); Micrometer keeps every distinct
 * tag set it is asked for in a map that is never pruned, so the address is folded before a meter sees it, and the tag
 * sets stay few and fixed.
 */
public final class VertxMeters implements VertxMetricsFactory {
  private final VertxMetricsFactory inner;
  private final MeterRegistry registry;
  private final UnaryOperator<String> fold;

  /** {@code inner} reports into {@code registry}, as the event bus's meters will. */
  public VertxMeters(VertxMetricsFactory inner, MeterRegistry registry, UnaryOperator<String> fold) {
    this.inner = inner;
    this.registry = registry;
    this.fold = fold;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new WithBusMeters(inner.metrics(options), new EventBusMeters(registry, fold));
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

  /** The inner metrics, but for the event bus's and the guard on the HTTP servers'; everything else passed through. */
  private record WithBusMeters(VertxMetrics inner, EventBusMeters bus) implements VertxMetrics {
    @Override
    public EventBusMetrics<?> createEventBusMetrics() {
      return bus;
    }

    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress local) {
      return HttpServerMeters.guard(inner.createHttpServerMetrics(options, local));
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
}
