package dev.engram.observe;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The HTTP server's metrics as Engram makes them, for a connection that Vert.x accepted before they existed (it has
 * no socket metric) and for one accepted after.
 */
class HttpServerMetersTest {
  private static final SocketAddress LOCAL = SocketAddress.inetSocketAddress(8283, "localhost");
  private static final SocketAddress CLIENT = SocketAddress.inetSocketAddress(50000, "127.0.0.1");

  private final PrometheusMeterRegistry registry = EngramMetrics.newRegistry();
  private final VertxOptions options = new VertxOptions().setMetricsOptions(
      EngramMetrics.vertxOptions("http-server-meters-" + System.nanoTime()).setJvmMetricsEnabled(false));

  @Test
  @DisplayName("a connection without a socket metric goes unmetered, and its request does not fail")
  void connectionWithoutSocketMetric() {
    HttpServerMetrics<Object, Object, Object> metrics = serverMetrics(
        new VertxMeters(new MicrometerMetricsFactory(registry), registry, UnaryOperator.identity()).metrics(options));

    Object request = metrics.requestBegin(null, REQUEST);
    metrics.bytesRead(null, CLIENT, 60);
    metrics.requestEnd(request, REQUEST, 0);
    metrics.requestRouted(request, "/health/ready");
    metrics.responseBegin(request, RESPONSE);
    metrics.bytesWritten(null, CLIENT, 80);
    metrics.responseEnd(request, RESPONSE, 80);
    metrics.exceptionOccurred(null, CLIENT, new IllegalStateException("reset"));
    metrics.disconnected(null, CLIENT);

    assertNull(request);
    assertTrue(!registry.scrape().contains("vertx_http_server_requests_total{"), registry.scrape());
  }

  @Test
  @DisplayName("a connection with its socket metric is metered as Vert.x's Micrometer metrics meter it")
  void connectionWithSocketMetric() {
    HttpServerMetrics<Object, Object, Object> metrics = serverMetrics(
        new VertxMeters(new MicrometerMetricsFactory(registry), registry, UnaryOperator.identity()).metrics(options));

    Object socket = metrics.connected(CLIENT, "client");
    Object request = metrics.requestBegin(socket, REQUEST);
    metrics.requestEnd(request, REQUEST, 0);
    metrics.requestRouted(request, "/health/ready");
    metrics.responseBegin(request, RESPONSE);
    metrics.responseEnd(request, RESPONSE, 80);
    metrics.disconnected(socket, CLIENT);

    assertNotNull(request);
    String scrape = registry.scrape();
    assertTrue(scrape.lines().anyMatch(line -> line.startsWith("vertx_http_server_requests_total{")
        && line.contains("route=\"/health/ready\"") && line.endsWith(" 1.0")), scrape);
  }

  @Test
  @DisplayName("why the guard is there: Micrometer's own metrics fail such a request (if this fails, Vert.x changed)")
  void micrometerAloneFails() {
    HttpServerMetrics<Object, Object, Object> metrics = serverMetrics(
        new MicrometerMetricsFactory(registry).metrics(options));

    assertThrows(NullPointerException.class, () -> metrics.requestBegin(null, REQUEST));
  }

  @SuppressWarnings("unchecked")
  private static HttpServerMetrics<Object, Object, Object> serverMetrics(VertxMetrics vertx) {
    return (HttpServerMetrics<Object, Object, Object>) vertx.createHttpServerMetrics(new HttpServerOptions(), LOCAL);
  }

  private static final HttpRequest REQUEST = new HttpRequest() {
    @Override
    public int id() {
      return 1;
    }

    @Override
    public String uri() {
      return "/health/ready";
    }

    @Override
    public String absoluteURI() {
      return "http://localhost:8283/health/ready";
    }

    @Override
    public HttpMethod method() {
      return HttpMethod.GET;
    }

    @Override
    public MultiMap headers() {
      return MultiMap.caseInsensitiveMultiMap();
    }

    @Override
    public SocketAddress remoteAddress() {
      return CLIENT;
    }
  };

  private static final HttpResponse RESPONSE = new HttpResponse() {
    @Override
    public int statusCode() {
      return 200;
    }

    @Override
    public MultiMap headers() {
      return MultiMap.caseInsensitiveMultiMap();
    }
  };
}
