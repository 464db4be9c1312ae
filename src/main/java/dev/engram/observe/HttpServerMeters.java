package dev.engram.observe;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

/**
 * Micrometer's HTTP server metrics ({@code inner}), except for the connections that Vert.x accepted before it had
 * them: those go unmetered instead of losing their requests.
 *
 * <p>Vert.x 5.0 makes a server's metrics once its port is bound ({@code NetServerImpl.bind}, in the bind's listener),
 * so a connection accepted in between gets no socket metric, while its HTTP requests meet the metrics made
 * meanwhile. Micrometer's {@code requestBegin} then fails on the missing socket metric, and Vert.x leaves that
 * request without an answer: a client polling {@code /health/ready} during a start could wait forever (seen in the
 * cold-start benchmark). Every call about such a connection, or about a request that got no metric, is skipped here.
 */
final class HttpServerMeters<R, W, S> implements HttpServerMetrics<R, W, S> {
  private final HttpServerMetrics<R, W, S> inner;

  private HttpServerMeters(HttpServerMetrics<R, W, S> inner) {
    this.inner = inner;
  }

  /** {@code inner} behind the guard ({@code null}, Vert.x's "no metrics", stays so). */
  static <R, W, S> HttpServerMetrics<R, W, S> guard(HttpServerMetrics<R, W, S> inner) {
    return inner == null ? null : new HttpServerMeters<>(inner);
  }

  @Override
  public R requestBegin(S socketMetric, HttpRequest request) {
    return socketMetric == null ? null : inner.requestBegin(socketMetric, request);
  }

  @Override
  public void requestEnd(R requestMetric, HttpRequest request, long bytesRead) {
    if (requestMetric != null) {
      inner.requestEnd(requestMetric, request, bytesRead);
    }
  }

  @Override
  public void requestReset(R requestMetric) {
    if (requestMetric != null) {
      inner.requestReset(requestMetric);
    }
  }

  @Override
  public void responseBegin(R requestMetric, HttpResponse response) {
    if (requestMetric != null) {
      inner.responseBegin(requestMetric, response);
    }
  }

  @Override
  public R responsePushed(S socketMetric, HttpMethod method, String uri, HttpResponse response) {
    return socketMetric == null ? null : inner.responsePushed(socketMetric, method, uri, response);
  }

  @Override
  public void responseEnd(R requestMetric, HttpResponse response, long bytesWritten) {
    if (requestMetric != null) {
      inner.responseEnd(requestMetric, response, bytesWritten);
    }
  }

  @Override
  public W connected(S socketMetric, R requestMetric, ServerWebSocket serverWebSocket) {
    return socketMetric == null || requestMetric == null ? null
        : inner.connected(socketMetric, requestMetric, serverWebSocket);
  }

  @Override
  public void disconnected(W serverWebSocketMetric) {
    if (serverWebSocketMetric != null) {
      inner.disconnected(serverWebSocketMetric);
    }
  }

  @Override
  public void requestRouted(R requestMetric, String route) {
    if (requestMetric != null) {
      inner.requestRouted(requestMetric, route);
    }
  }

  @Override
  public S connected(SocketAddress remoteAddress, String remoteName) {
    return inner.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(S socketMetric, SocketAddress remoteAddress) {
    if (socketMetric != null) {
      inner.disconnected(socketMetric, remoteAddress);
    }
  }

  @Override
  public void bytesRead(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (socketMetric != null) {
      inner.bytesRead(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void bytesWritten(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (socketMetric != null) {
      inner.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void exceptionOccurred(S socketMetric, SocketAddress remoteAddress, Throwable t) {
    if (socketMetric != null) {
      inner.exceptionOccurred(socketMetric, remoteAddress, t);
    }
  }

  @Override
  public void close() {
    inner.close();
  }
}
