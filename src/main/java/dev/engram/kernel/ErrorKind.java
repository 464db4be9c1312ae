package dev.engram.kernel;

/** The one error vocabulary: every failure that reaches a client maps to one of these statuses. */
public enum ErrorKind {
  BAD_REQUEST(400),
  UNAUTHORIZED(401),
  FORBIDDEN(403),
  NOT_FOUND(404),
  METHOD_NOT_ALLOWED(405),
  REQUEST_TIMEOUT(408),
  CONFLICT(409),
  PAYLOAD_TOO_LARGE(413),
  URI_TOO_LONG(414),
  UNPROCESSABLE(422),
  HEADERS_TOO_LARGE(431),
  INTERNAL(500),
  UPSTREAM(502),
  UNAVAILABLE(503),
  TIMEOUT(504);

  public final int status;

  ErrorKind(int status) {
    this.status = status;
  }

  public static ErrorKind ofStatus(int status) {
    for (ErrorKind k : values()) {
      if (k.status == status) {
        return k;
      }
    }
    return status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL;
  }
}
