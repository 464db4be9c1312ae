package dev.engram.kernel;

/**
 * The one error vocabulary: every failure that reaches a client maps to one of these statuses. Which of 400 and 422
 * is one rule for every route:
 * <ul>
 *   <li>400: the request cannot be read at all (no body where one is needed, malformed JSON, a body that is not a
 *       JSON object, bad encoding), and the errors the upstream servers themselves answer with 400 in their own
 *       words: Mem0's identifier rule (no user_id, agent_id or run_id, or a blank one), its invalid filters, its
 *       memory_type check and an invalid configuration; MemGPT's agent-name rule.
 *   <li>422: a field (in the body or the query) that is missing, has the wrong type, or has a value outside what the
 *       operation takes (too long, out of range, not a UUID, an unknown preset or command), as FastAPI's validation
 *       answers in both upstream servers.
 *   <li>404: an unknown id, another user's id, and an id in the path that is not a UUID at all (it names nothing).
 * </ul>
 */
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
  UNSUPPORTED_MEDIA_TYPE(415),
  UNPROCESSABLE(422),
  HEADERS_TOO_LARGE(431),
  INTERNAL(500),
  /** A route of an API that Engram serves in part (the Letta SDK's), which it does not implement. */
  NOT_IMPLEMENTED(501),
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
