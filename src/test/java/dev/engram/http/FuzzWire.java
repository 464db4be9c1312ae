package dev.engram.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sends the battery's requests: over one HTTP/1.1 client (its connections are reused) or, for what no client sends,
 * over a socket of its own. Every request has a deadline: a server that does not answer fails the variant as a hang.
 */
final class FuzzWire {
  static final Duration DEADLINE = Duration.ofSeconds(10);

  /** An answer; status 0 when none came (the reason is in {@code body}). */
  record Reply(int status, String contentType, String body) {}

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final int port;

  FuzzWire(String base, int port) {
    this.base = base;
    this.port = port;
  }

  Reply send(Variant v, String credential, boolean webSocketHandshake) {
    return v.raw() || webSocketHandshake ? sendRaw(v, credential, webSocketHandshake) : sendHttp(v, credential);
  }

  private Reply sendHttp(Variant v, String credential) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + v.target())).timeout(DEADLINE)
        .method(v.method(), v.body() == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(v.body()))
        .header("Authorization", "Bearer " + credential);
    if (v.contentType() != null) {
      b.header("Content-Type", v.contentType());
    }
    HttpRequest request = b.build();
    try {
      HttpResponse<String> r;
      try {
        r = http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (HttpTimeoutException e) {
        throw e;
      } catch (IOException staleConnection) {
        // a pooled keep-alive connection that the server closed as the request went out ("Broken pipe"): once more,
        // on a fresh connection; a server that really drops the request fails again
        try {
          r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException cutOff) {
          if (v.target().length() <= InvalidRequests.MAX_REQUEST_LINE_BYTES) {
            throw cutOff;
          }
          // the server refuses a request line after its first 8 KB and closes the connection; a client still
          // writing a 100 KB URL may then be reset before it reads the answer (no lingering close). The answer is
          // what is checked, so it is asked for with a request line only as much over the limit as it takes
          return cutTarget(v, credential);
        }
      }
      return new Reply(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    } catch (HttpTimeoutException e) {
      return new Reply(0, "", "no answer within " + DEADLINE + " (a hang)");
    } catch (IOException e) {
      return new Reply(0, "", "the connection failed without an answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Reply sendRaw(Variant v, String credential, boolean webSocketHandshake) {
    StringBuilder head = new StringBuilder(v.method()).append(' ').append(v.target())
        .append(" HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ").append(credential);
    if (webSocketHandshake) {
      head.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13")
          .append("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
    }
    if (v.contentType() != null) {
      head.append("\r\nContent-Type: ").append(v.contentType());
    }
    head.append("\r\nContent-Length: ").append(v.body() == null ? 0 : v.body().length);
    try (SocketHttp socket = new SocketHttp(port)) {
      // the server may refuse (and close) before the whole head is written: its answer is read all the same
      if (socket.tryWrite((head + "\r\n\r\n").getBytes(StandardCharsets.UTF_8)) && v.body() != null) {
        socket.tryWrite(v.body());
      }
      SocketHttp.Reply reply = socket.read(DEADLINE);
      return new Reply(reply.status(), String.valueOf(reply.header("content-type")), reply.body());
    } catch (AssertionError | UncheckedIOException e) {
      return v.target().length() > InvalidRequests.MAX_REQUEST_LINE_BYTES ? cutTarget(v, credential)
          : new Reply(0, "", "no answer: " + e.getMessage());
    }
  }

  /** The variant with its target cut to 1 KB over the request-line limit, over a socket of its own. */
  private Reply cutTarget(Variant v, String credential) {
    String target = v.target().substring(0, InvalidRequests.MAX_REQUEST_LINE_BYTES + 1024);
    return sendPartial(v.method() + " " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
        + credential + "\r\nContent-Length: 0", new byte[0]);
  }

  /** Sends {@code head} (request line and headers) and then only {@code partialBody}, and reads the answer. */
  Reply sendPartial(String head, byte[] partialBody) {
    try (SocketHttp socket = new SocketHttp(port)) {
      socket.write((head + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      socket.tryWrite(partialBody);
      SocketHttp.Reply reply = socket.read(DEADLINE);
      return new Reply(reply.status(), String.valueOf(reply.header("content-type")), reply.body());
    } catch (AssertionError | UncheckedIOException e) {
      return new Reply(0, "", "no answer: " + e.getMessage());
    }
  }
}
