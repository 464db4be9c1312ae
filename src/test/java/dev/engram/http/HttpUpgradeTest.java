package dev.engram.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.engram.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The JDK's HTTP client asks a cleartext server to upgrade to HTTP/2 (h2c). Vert.x 5.0.10's upgrade sometimes sent a
 * large body's bytes where the client expected a frame (3 of 800 concurrent fetches of /openapi.json failed); the
 * server now declines the upgrade and answers over HTTP/1.1.
 */
class HttpUpgradeTest {
  private final TestServer server = TestServer.shared();

  @Test
  @DisplayName("800 concurrent fetches of the OpenAPI document by fresh JDK clients all arrive whole, over HTTP/1.1")
  void jdkClientsGetWholeAnswers() throws Exception {
    URI uri = URI.create(server.api.base() + "/openapi.json");
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 800; i++) {
        answers.add(callers.submit(() -> {
          HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
              HttpResponse.BodyHandlers.ofString());
          return r.statusCode() + " " + r.version() + " " + r.body().length();
        }));
      }
      String first = answers.get(0).get();
      for (Future<String> answer : answers) {
        assertEquals(first, answer.get());
      }
      assertEquals(HttpClient.Version.HTTP_1_1.name(), first.split(" ")[1]);
      assertEquals("200", first.split(" ")[0]);
    } finally {
      callers.shutdownNow();
    }
  }
}
