package dev.engram.kernel;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A failure with a client-facing status and detail. Bus consumers fail their message with {@link #status()} and
 * {@link #getMessage()}; the HTTP failure handler turns it into {@code {"detail": ...}}.
 */
public final class ApiException extends RuntimeException {
  private final ErrorKind kind;

  public ApiException(ErrorKind kind, String detail) {
    super(detail, null, false, false);
    this.kind = kind;
  }

  public ErrorKind kind() {
    return kind;
  }

  public int status() {
    return kind.status;
  }

  public static ApiException badRequest(String detail) {
    return new ApiException(ErrorKind.BAD_REQUEST, detail);
  }

  /** A field that is missing, of the wrong type, or has a value the operation does not take (see {@link ErrorKind}). */
  public static ApiException unprocessable(String detail) {
    return new ApiException(ErrorKind.UNPROCESSABLE, detail);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(ErrorKind.NOT_FOUND, detail);
  }

  public static ApiException conflict(String detail) {
    return new ApiException(ErrorKind.CONFLICT, detail);
  }

  /** Maps any failure (ours, a bus reply failure, or an unknown one) onto the vocabulary. */
  /** How a bus request that found no one to serve it begins its detail. */
  public static final String NO_HANDLER = "a server component is not running: ";
  /** How a bus request that could not be delivered begins its detail. */
  public static final String UNREACHABLE = "a server component could not be reached: ";

  public static ApiException from(Throwable failure) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return new ApiException(ErrorKind.TIMEOUT, "the request timed out inside the server");
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return new ApiException(ErrorKind.UNAVAILABLE, NO_HANDLER + reply.getMessage());
      }
      if (reply.failureType() == ReplyFailure.ERROR) {
        // the message could not be written (cluster mode: the node it was for is gone)
        return new ApiException(ErrorKind.UNAVAILABLE, UNREACHABLE + reply.getMessage());
      }
      int code = reply.failureCode();
      if (code >= 400 && code < 600) {
        return new ApiException(ErrorKind.ofStatus(code), reply.getMessage());
      }
    }
    return new ApiException(ErrorKind.INTERNAL, "internal error");
  }
}
