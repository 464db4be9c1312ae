package dev.engram.http;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Reads a multipart/form-data upload to a temporary file: the part in one named field, checked and streamed to disk.
 * Unlike Vert.x's BodyHandler it answers every broken body: one cut before its closing boundary (BodyHandler waits
 * forever for the cut part), a part without {@code Content-Disposition}, an over-long or NUL-bearing name, a body over
 * the limit. Whatever fails, its temporary files are deleted; on success the caller owns the one file.
 */
public final class UploadBody {
  /** Room for the multipart envelope around a file of the largest allowed size. */
  static final long MULTIPART_OVERHEAD = 64 * 1024;
  /** The longest file name kept, in UTF-8 bytes: what common file systems allow for one name. */
  static final int MAX_FILE_NAME_BYTES = 255;

  /** The part read: its file name and Content-Type as the client gave them, where it is on disk, and its size. */
  public record UploadedFile(String fileName, Path path, long size, String contentType) {}

  private final Path dir;
  private final long maxUploadBytes;
  private final long settleMs;

  /**
   * @param settleMs how long the parts may take to reach the disk once the body has ended (writes are queued behind
   *     the network reads)
   */
  public UploadBody(Path dir, long maxUploadBytes, long settleMs) {
    this.dir = dir;
    this.maxUploadBytes = maxUploadBytes;
    this.settleMs = settleMs;
  }

  /** The largest multipart body accepted for a file of {@code maxUploadBytes}. */
  static long bodyLimit(long maxUploadBytes) {
    return maxUploadBytes + MULTIPART_OVERHEAD;
  }

  /** Reads the request's body (held paused until now) and answers the file sent in {@code field}. */
  public Future<UploadedFile> read(RoutingContext ctx, String field) {
    HttpServerRequest request = ctx.request();
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      return Future.failedFuture(Bodies.invalid(
          "a multipart/form-data body with the file in the field '" + field + "' is required"));
    }
    String boundary = boundary(type);
    if (boundary == null) {
      return Future.failedFuture(ApiException.badRequest(
          "The multipart/form-data Content-Type has no boundary parameter"));
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parseLong(length) > bodyLimit(maxUploadBytes)) {
      return Future.failedFuture(tooLarge());
    }
    return new Reading(ctx, field, boundary).start();
  }

  private ApiException tooLarge() {
    return new ApiException(ErrorKind.PAYLOAD_TOO_LARGE,
        "The upload is larger than the limit of " + maxUploadBytes + " bytes (MAX_UPLOAD_BYTES)");
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The {@code boundary} parameter of a multipart Content-Type, unquoted; null if absent. */
  static String boundary(String contentType) {
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.regionMatches(true, 0, "boundary=", 0, 9)) {
        String value = p.substring(9).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }

  /** One body being read. Every callback runs on the request's event loop. */
  private final class Reading {
    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private final String field;
    private final ClosingDelimiter closing;
    private final Promise<UploadedFile> result = Promise.promise();
    private HttpServerFileUpload upload;
    private Path path;
    private Future<Void> written;
    private boolean settled;

    Reading(RoutingContext ctx, String field, String boundary) {
      this.ctx = ctx;
      this.request = ctx.request();
      this.field = field;
      this.closing = new ClosingDelimiter(boundary);
    }

    Future<UploadedFile> start() {
      // an answer sent for any other reason (a 408 for a stalled body) or a closed connection ends the reading; the
      // end handlers also run on a response exception, which a broken body raises before broken() answers it
      ctx.addEndHandler(v -> {
        if (ctx.response().ended() || ctx.response().closed()) {
          fail(null);
        }
      });
      request.setExpectMultipart(true);
      request.uploadHandler(this::part);
      request.handler(this::chunk);
      request.exceptionHandler(this::broken);
      request.endHandler(v -> ended());
      if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
        ctx.response().writeContinue();
      }
      request.resume();
      return result.future();
    }

    private void chunk(Buffer chunk) {
      if (settled) {
        return;
      }
      if (request.bytesRead() > bodyLimit(maxUploadBytes)) {
        fail(tooLarge());
        return;
      }
      closing.scan(chunk);
    }

    private void part(HttpServerFileUpload part) {
      if (settled) {
        return;
      }
      if (InputRules.nul(part.name())) {
        fail(InputRules.nulFound("the name of a multipart part"));
        return;
      }
      String fileName = part.filename();
      if (InputRules.nul(fileName)) {
        fail(InputRules.nulFound("the file name of the multipart part '" + part.name() + "'"));
        return;
      }
      if (fileName != null && fileName.getBytes(StandardCharsets.UTF_8).length > MAX_FILE_NAME_BYTES) {
        fail(ApiException.badRequest("The file name is longer than " + MAX_FILE_NAME_BYTES + " bytes (UTF-8)"));
        return;
      }
      if (!field.equals(part.name()) || upload != null) {
        return; // another field, or a second file: its bytes are dropped, nothing reaches the disk
      }
      upload = part;
      path = dir.resolve(UUID.randomUUID().toString());
      written = part.streamToFileSystem(path.toString());
    }

    private void broken(Throwable error) {
      Throwable cause = error;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      if (error instanceof HttpClosedException) {
        fail(null); // the client went away: nobody to answer, only files to delete
      } else if (cause instanceof NullPointerException) {
        // Netty's multipart decoder fails this way on a part whose headers name no field
        fail(ApiException.badRequest("A multipart part has no Content-Disposition: form-data header with a name"));
      } else {
        // some of the decoder's exceptions carry no message: their kind is then the best description there is
        String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        fail(ApiException.badRequest("The multipart body is malformed: " + why));
      }
    }

    private void ended() {
      if (settled) {
        return;
      }
      if (!closing.seen()) {
        fail(ApiException.badRequest("The multipart body is incomplete: it ends before its closing boundary --"
            + closing.boundary + "--"));
        return;
      }
      if (upload == null) {
        fail(Bodies.invalid("a multipart/form-data body with the file in the field '" + field + "' is required"));
        return;
      }
      // the body is whole, so the part has ended; its last writes may still be on their way to the disk
      written.timeout(settleMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
        if (settled) {
          return;
        }
        if (ar.failed()) {
          fail(ApiException.badRequest("The multipart part '" + field + "' could not be read to its end"));
          return;
        }
        settled = true;
        result.complete(new UploadedFile(upload.filename(), path, upload.size(), upload.contentType()));
      });
    }

    /** Ends the reading with {@code error} (null: silently), deleting what was written. */
    private void fail(ApiException error) {
      if (settled) {
        return;
      }
      settled = true;
      if (upload != null) {
        try {
          upload.cancelStreamToFileSystem(); // a part that will never end (a cut body) stops being written
        } catch (IllegalStateException closing) {
          // the part had ended and its file is being closed: the writing completes by itself
        }
        written.onComplete(ar -> ctx.vertx().fileSystem().delete(path.toString()));
      }
      if (error != null) {
        result.fail(error);
      }
    }
  }

  /**
   * Watches the raw body for the multipart closing delimiter {@code CRLF--boundary--}: a body that ends without it
   * was cut, and its last part will never be complete.
   */
  private static final class ClosingDelimiter {
    private final String boundary;
    private final byte[] pattern;
    /** The last pattern.length - 1 bytes seen, so that a delimiter split across chunks is found. */
    private byte[] tail;
    private boolean seen;

    ClosingDelimiter(String boundary) {
      this.boundary = boundary;
      this.pattern = ("\r\n--" + boundary + "--").getBytes(StandardCharsets.ISO_8859_1);
      this.tail = "\r\n".getBytes(StandardCharsets.ISO_8859_1); // a body may open with its closing delimiter
    }

    void scan(Buffer chunk) {
      if (seen) {
        return;
      }
      byte[] bytes = new byte[tail.length + chunk.length()];
      System.arraycopy(tail, 0, bytes, 0, tail.length);
      chunk.getBytes(bytes, tail.length);
      for (int i = 0; i + pattern.length <= bytes.length; i++) {
        if (matchesAt(bytes, i)) {
          seen = true;
          return;
        }
      }
      int keep = Math.min(pattern.length - 1, bytes.length);
      tail = java.util.Arrays.copyOfRange(bytes, bytes.length - keep, bytes.length);
    }

    private boolean matchesAt(byte[] bytes, int at) {
      for (int j = 0; j < pattern.length; j++) {
        if (bytes[at + j] != pattern[j]) {
          return false;
        }
      }
      return true;
    }

    boolean seen() {
      return seen;
    }
  }
}
