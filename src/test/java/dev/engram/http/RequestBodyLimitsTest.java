package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Request bodies that are cut, stall, or exceed their limit are answered promptly with {@code {"detail"}}, free what
 * they held (temporary upload files, the connection), and never leave a client waiting for an answer.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a client left hanging fails, not hangs
class RequestBodyLimitsTest {
  private static final long MAX_UPLOAD = 100_000;
  private static final long MAX_BODY = 64 * 1024;
  private static final long BODY_TIMEOUT_MS = 1_500;
  private static final Duration PROMPT = Duration.ofSeconds(10);
  private static final String BOUNDARY = "engram-edge-boundary";

  private static TestServer server;
  private static Api api;
  private static String key;
  private static String sourceId;

  @BeforeAll
  static void start() {
    server = TestServer.start(TempHomes.create("engram-edge-"), Map.of("MAX_UPLOAD_BYTES", String.valueOf(MAX_UPLOAD),
        "MAX_BODY_BYTES", String.valueOf(MAX_BODY), "BODY_READ_TIMEOUT_MS", String.valueOf(BODY_TIMEOUT_MS)));
    api = server.api;
    key = api.newUser().getString("api_key");
    Api.Response source = api.post("/api/sources", key, new JsonObject().put("name", "edge"));
    assertEquals(200, source.status(), source.body());
    sourceId = source.json().getString("id");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Every refused upload leaves nothing in uploads/incoming. */
  @AfterEach
  void incomingIsEmpty() throws InterruptedException {
    Path incoming = server.home().resolve("uploads").resolve("incoming");
    long deadline = System.currentTimeMillis() + 3_000;
    List<Path> left = list(incoming);
    while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      left = list(incoming);
    }
    assertEquals(List.of(), left, "temporary upload files were left behind");
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String uploadHead(long contentLength) {
    return "POST /api/sources/" + sourceId + "/upload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\nContent-Length: " + contentLength;
  }

  private static byte[] part(String fileName, String content) {
    return ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
        + "\"\r\nContent-Type: text/plain\r\n\r\n" + content).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, String b) {
    byte[] tail = b.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[a.length + tail.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(tail, 0, out, a.length, tail.length);
    return out;
  }

  /** Sends a complete request of exactly these body bytes and reads the answer. */
  private static SocketHttp.Reply uploadBody(byte[] body) {
    try (SocketHttp socket = new SocketHttp(server.port())) {
      socket.head(uploadHead(body.length)).write(body);
      return socket.read(PROMPT);
    }
  }

  private static void assertDetail(SocketHttp.Reply reply, int status, String... fragments) {
    assertEquals(status, reply.status(), reply::body);
    assertTrue(reply.header("content-type").startsWith("application/json"), reply.headers()::toString);
    String detail = reply.json().getString("detail");
    assertNotNull(detail, reply.body());
    for (String fragment : fragments) {
      assertTrue(detail.contains(fragment), () -> "detail does not mention '" + fragment + "': " + detail);
    }
  }

  private static int documents() {
    return api.get("/api/sources/" + sourceId, key).json().getJsonObject("metadata_").getInteger("num_documents");
  }

  @Test
  @DisplayName("a multipart body without its closing boundary, or cut inside the part, answers 400 at once")
  void truncatedMultipart() {
    byte[] whole = part("notes.txt", "The ferry leaves at seven.");
    assertDetail(uploadBody(whole), 400, "multipart");
    assertDetail(uploadBody(concat(whole, "\r\n")), 400, "multipart");
    // the part is whole here and its file may be closing just as the body ends: repeated, to meet that moment
    for (int i = 0; i < 50; i++) {
      assertDetail(uploadBody(concat(whole, "\r\n--" + BOUNDARY + "\r\n")), 400, "multipart");
    }
    byte[] cut = part("notes.txt", "The ferry lea");
    assertDetail(uploadBody(cut), 400, "multipart");
    assertDetail(uploadBody(("--" + BOUNDARY + "\r\nContent-Disp").getBytes(StandardCharsets.UTF_8)), 400,
        "multipart");
    assertEquals(0, documents());
  }

  @Test
  @DisplayName("an upload whose client stops sending half way answers 408 within the body read timeout and closes")
  void stalledUpload() {
    try (SocketHttp socket = new SocketHttp(server.port())) {
      long start = System.currentTimeMillis();
      socket.head(uploadHead(50_000)).write(part("slow.txt", "only the start of it"));
      SocketHttp.Reply reply = socket.read(PROMPT);
      assertDetail(reply, 408, "body");
      long waited = System.currentTimeMillis() - start;
      // the timer answers between 1 and 1.5 timeouts after the last byte
      assertTrue(waited >= BODY_TIMEOUT_MS * 9 / 10 && waited < 2 * BODY_TIMEOUT_MS + 1_000, "answered after " + waited);
      assertEquals("close", reply.header("connection"));
      assertTrue(socket.closedWithin(PROMPT), "the connection was kept open");
    }
  }

  @Test
  @DisplayName("an upload whose client goes away half way leaves no temporary file")
  void abandonedUpload() throws InterruptedException {
    try (SocketHttp socket = new SocketHttp(server.port())) {
      socket.head(uploadHead(50_000)).write(part("gone.txt", "z".repeat(20_000)));
      Thread.sleep(300); // let the part reach the disk before the client leaves
    }
    assertEquals(0, documents());
  }

  @Test
  @DisplayName("a JSON body whose client stops sending half way answers 408 and closes the connection")
  void stalledJsonBody() {
    try (SocketHttp socket = new SocketHttp(server.port())) {
      socket.head("POST /api/agents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
          + "\r\nContent-Type: application/json\r\nContent-Length: 500").write("{\"config\": {\"na".getBytes());
      SocketHttp.Reply reply = socket.read(PROMPT);
      assertDetail(reply, 408, "body");
      assertTrue(socket.closedWithin(PROMPT), "the connection was kept open");
    }
    assertEquals(0, api.get("/api/agents", key).json().getInteger("num_agents"));
  }

  @Test
  @DisplayName("a long-running response is not cut by the body read timeout: a slow request with its body read works")
  void slowClientsThatFinishAreServed() throws InterruptedException {
    try (SocketHttp socket = new SocketHttp(server.port())) {
      byte[] body = new JsonObject().put("name", "trickled").encode().getBytes(StandardCharsets.UTF_8);
      socket.head("POST /api/sources HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length);
      // each pause is shorter than the timeout, their sum is longer: the timeout is on idleness, not on the total
      for (byte b : body) {
        Thread.sleep(BODY_TIMEOUT_MS * 2 / body.length + 1);
        socket.write(new byte[] {b});
      }
      SocketHttp.Reply reply = socket.read(PROMPT);
      assertEquals(200, reply.status(), reply.body());
      // the connection stays usable after a request answered normally, however long the client then waits
      Thread.sleep(BODY_TIMEOUT_MS * 2);
      socket.head("GET /api/sources HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key);
      assertEquals(200, socket.read(PROMPT).status());
    }
    assertOk(api.delete("/api/sources/" + api.get("/api/sources", key).json().getJsonArray("sources").stream()
        .map(o -> (JsonObject) o).filter(s -> s.getString("name").equals("trickled")).findFirst().orElseThrow()
        .getString("id"), key));
  }

  private static void assertOk(Api.Response r) {
    assertEquals(200, r.status(), r.body());
  }

  @Test
  @DisplayName("an upload over MAX_UPLOAD_BYTES answers 413 naming that limit, with Connection: close, to a client"
      + " that waits after writing part of it")
  void oversizedUploadPartlyWritten() {
    try (SocketHttp socket = new SocketHttp(server.port())) {
      socket.head(uploadHead(MAX_UPLOAD * 3)).write(part("big.txt", "x".repeat(8_000)));
      SocketHttp.Reply reply = socket.read(PROMPT);
      assertDetail(reply, 413, String.valueOf(MAX_UPLOAD), "MAX_UPLOAD_BYTES");
      assertEquals("close", reply.header("connection"));
      assertTrue(socket.closedWithin(PROMPT), "the connection was kept open");
    }
  }

  @Test
  @DisplayName("an upload over MAX_UPLOAD_BYTES written whole, with or without a Content-Length, answers 413")
  void oversizedUploadWrittenWhole() {
    byte[] body = concat(part("big.txt", "y".repeat((int) MAX_UPLOAD * 3)), "\r\n--" + BOUNDARY + "--\r\n");
    try (SocketHttp socket = new SocketHttp(server.port())) {
      socket.head(uploadHead(body.length));
      assertTrue(socket.tryWrite(body), "the server stopped reading before the whole body was written");
      assertDetail(socket.read(PROMPT), 413, String.valueOf(MAX_UPLOAD), "MAX_UPLOAD_BYTES");
    }
    try (SocketHttp socket = new SocketHttp(server.port())) {
      socket.head(uploadHead(0).replace("Content-Length: 0", "Transfer-Encoding: chunked"));
      String size = Integer.toHexString(body.length);
      socket.tryWrite((size + "\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.tryWrite(concat(body, "\r\n0\r\n\r\n"));
      assertDetail(socket.read(PROMPT), 413, String.valueOf(MAX_UPLOAD), "MAX_UPLOAD_BYTES");
    }
    assertEquals(0, documents());
  }

  @Test
  @DisplayName("a JSON body over MAX_BODY_BYTES answers 413 naming that limit, whether written in part or whole")
  void oversizedJson() {
    String head = "POST /api/agents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/json\r\nContent-Length: ";
    byte[] big = ("{\"config\": {\"name\": \"" + "z".repeat((int) MAX_BODY * 4) + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
    try (SocketHttp socket = new SocketHttp(server.port())) {
      socket.head(head + big.length).write(java.util.Arrays.copyOf(big, 4096));
      SocketHttp.Reply reply = socket.read(PROMPT);
      assertDetail(reply, 413, String.valueOf(MAX_BODY), "MAX_BODY_BYTES");
      assertEquals("close", reply.header("connection"));
      assertTrue(socket.closedWithin(PROMPT), "the connection was kept open");
    }
    try (SocketHttp socket = new SocketHttp(server.port())) {
      socket.head(head + big.length);
      assertTrue(socket.tryWrite(big), "the server stopped reading before the whole body was written");
      assertDetail(socket.read(PROMPT), 413, String.valueOf(MAX_BODY), "MAX_BODY_BYTES");
    }
    assertEquals(0, api.get("/api/agents", key).json().getInteger("num_agents"));
  }

  @Test
  @DisplayName("a part without Content-Disposition, an over-long file name and a NUL in the file name answer 400")
  void badParts() {
    byte[] noDisposition = ("--" + BOUNDARY + "\r\nContent-Type: text/plain\r\n\r\nhello\r\n--" + BOUNDARY
        + "--\r\n").getBytes(StandardCharsets.UTF_8);
    assertDetail(uploadBody(noDisposition), 400, "Content-Disposition");

    String longName = "n".repeat(5_000) + ".txt";
    assertError(api.upload("/api/sources/" + sourceId + "/upload", key, "file", longName,
        "hello".getBytes(StandardCharsets.UTF_8)), 400, "file name", "255");
    assertError(api.upload("/api/sources/" + sourceId + "/upload", key, "file", "a\u0000b.txt",
        "hello".getBytes(StandardCharsets.UTF_8)), 400, "NUL");
    assertError(api.upload("/api/sources/" + sourceId + "/upload", key, "fi\u0000le", "ab.txt",
        "hello".getBytes(StandardCharsets.UTF_8)), 400, "NUL");
    assertEquals(0, documents());
  }

  @Test
  @DisplayName("after all that, a well-formed upload is accepted")
  void goodUploadStillWorks() {
    String other = api.post("/api/sources", key, new JsonObject().put("name", "fine")).json().getString("id");
    Api.Response r = api.upload("/api/sources/" + other + "/upload", key, "file", "fine.txt",
        "A perfectly ordinary file.".getBytes(StandardCharsets.UTF_8));
    assertEquals(200, r.status(), r.body());
  }
}
