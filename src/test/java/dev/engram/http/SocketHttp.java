package dev.engram.http;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for what no HTTP client sends: malformed URLs, cut bodies, bodies that stop half way,
 * and a client that writes part of a body and then waits for the answer (as Python's http.client does).
 */
final class SocketHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** A response as read off the wire: status, headers (lower-case names), body. */
  record Reply(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  SocketHttp(int port) {
    try {
      socket = new Socket();
      // a small send buffer: a body the server does not read blocks the writer, as it would over a real network
      socket.setSendBufferSize(16 * 1024);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(60_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code head} (request line and headers, without the blank line) and the blank line. */
  SocketHttp head(String head) {
    return write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
  }

  SocketHttp write(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes as much of {@code bytes} as the peer accepts; false when the connection failed (reset or closed). */
  boolean tryWrite(byte[] bytes) {
    try {
      for (int i = 0; i < bytes.length; i += 64 * 1024) {
        out.write(bytes, i, Math.min(64 * 1024, bytes.length - i));
      }
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads one response; fails if none arrives within {@code timeout}. */
  Reply read(Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      String statusLine = line();
      if (statusLine == null) {
        throw new AssertionError("the server closed the connection without an answer");
      }
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new TreeMap<>();
      for (String line = line(); line != null && !line.isEmpty(); line = line()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = in.readNBytes(length);
      return new Reply(status, headers, new String(body, StandardCharsets.UTF_8));
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer within " + timeout, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the server closes the connection within {@code timeout} (reading and discarding anything it sends). */
  boolean closedWithin(Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      while (in.read() != -1) {
        // anything after the response would be a protocol error; only the end of the stream matters here
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset: closed as well
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      buf.write(b);
    }
    return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket: nothing to do
    }
  }
}
