package dev.engram.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * A request answered before its body was read (413, 408, 401 on an upload, a malformed upload): the answer says
 * {@code Connection: close}, the rest of the body is read and discarded, then the connection is closed. Discarding
 * instead of closing at once matters: a client that writes its whole body before reading (Python's requests and
 * http.client) would otherwise block on a full socket, or see a reset instead of the answer. The discarding is bounded
 * in size here and in idle time by {@link BodyIdleTimer}.
 */
final class UnreadBody {
  private UnreadBody() {}

  /** Whether the answer to {@code request} goes out before its body has been read to its end. */
  static boolean pending(HttpServerRequest request) {
    return !request.isEnded() && request.version() != HttpVersion.HTTP_2;
  }

  /** Marks the answer as the connection's last. Call before the response is written. */
  static void announceClose(HttpServerRequest request) {
    request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
  }

  /** After the answer: reads and discards up to {@code limitBytes} more of the body, then closes the connection. */
  static void discardThenClose(HttpServerRequest request, long limitBytes) {
    if (request.isEnded()) {
      close(request); // the body ended while the answer was written: the answer still promised to close
      return;
    }
    long start = request.bytesRead();
    request.setExpectMultipart(false); // stop decoding parts: nothing more is written to disk
    request.uploadHandler(null);
    request.handler(chunk -> {
      if (request.bytesRead() - start > limitBytes) {
        close(request);
      }
    });
    request.endHandler(v -> close(request));
    request.resume();
  }

  /** Ends the request's connection (an HTTP/2 request only its stream). */
  static void close(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      request.response().reset();
    } else {
      request.connection().close();
    }
  }
}
