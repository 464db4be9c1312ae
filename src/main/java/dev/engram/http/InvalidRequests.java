package dev.engram.http;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests refused by the HTTP decoder before the router sees them (a request line or headers over their limits, a
 * malformed head) get the same {@code {"detail"}} as every other error; then the connection is closed, since the rest
 * of its bytes cannot be framed.
 */
final class InvalidRequests {
  /** The longest request line (method, URL, version), in bytes. */
  static final int MAX_REQUEST_LINE_BYTES = 8192;
  /** The most bytes all headers of a request may take together. */
  static final int MAX_HEADER_BYTES = 8192;

  private InvalidRequests() {}

  /**
   * Answers 400 (and closes the connection) when the request's target is not a path: {@code GET ?a=1} or
   * {@code GET *} reach no route, and the router would fail on them with a 500. Answers whether it did.
   */
  static boolean answerBadTarget(HttpServerRequest request) {
    String path = request.path();
    if (path != null && path.startsWith("/")) {
      return false;
    }
    request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    Responses.error(request.response(), ApiException.badRequest("Malformed HTTP request: the request target must be"
        + " a path starting with '/'")).onComplete(v -> request.connection().close());
    return true;
  }

  static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiException error;
    if (cause instanceof TooLongHttpLineException) {
      error = new ApiException(ErrorKind.URI_TOO_LONG, "The URL is too long: the request line (method, URL and "
          + "version) may be at most " + MAX_REQUEST_LINE_BYTES + " bytes");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new ApiException(ErrorKind.HEADERS_TOO_LARGE, "The request header fields are too large: together they"
          + " may be at most " + MAX_HEADER_BYTES + " bytes");
    } else {
      error = ApiException.badRequest("Malformed HTTP request" + (cause == null || cause.getMessage() == null
          ? "" : ": " + cause.getMessage()));
    }
    request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    Responses.error(request.response(), error).onComplete(v -> request.connection().close());
  }
}
