package dev.engram.http;

/**
 * One malformed request of the fuzz battery: what is wrong ({@link Kind}) and where ({@code place}: a body field path,
 * {@code ?param}, {@code :param} or {@code body}), and the request itself. {@code raw} requests go over a plain socket:
 * no HTTP client sends a malformed percent-escape or a URL over the server's limit. {@code reachesModel}: the variant
 * is made from a body that would call the model, so an accepted case of it is never sent.
 */
record Variant(Kind kind, String place, String label, String method, String target, byte[] body, String contentType,
    boolean raw, boolean reachesModel) {

  Variant(Kind kind, String place, String label, String method, String target, byte[] body, String contentType,
      boolean raw) {
    this(kind, place, label, method, target, body, contentType, raw, false);
  }

  /** The same request, marked as one that would reach the model if the server took it. */
  Variant reachingModel(boolean reaches) {
    return new Variant(kind, place, label, method, target, body, contentType, raw, reaches);
  }

  /** The classes of fault; some have one status by rule, the others any 4xx. */
  enum Kind {
    MALFORMED_JSON(400),
    WRONG_TYPE(0),
    NUL(400),
    CONTROL(0),
    SURROGATE(0),
    LONG(0),
    LONG_URL(414),
    ESCAPE(400),
    MALFORMED_ID(0),
    UNKNOWN_ID(0),
    FOREIGN_ID(0),
    OTHER_KIND_ID(0),
    OVER_LIMIT(413),
    BAD_MULTIPART(0);

    /** The status the edge's rule gives this fault, or 0 when any 4xx that names the problem will do. */
    final int status;

    Kind(int status) {
      this.status = status;
    }
  }

  /** A short description for failure messages: the request without its long parts. */
  String describe() {
    String shownTarget = target.length() > 160 ? target.substring(0, 160) + "...(" + target.length() + " chars)"
        : target;
    return kind + " " + place + " [" + label + "]: " + method + " " + shownTarget;
  }
}
