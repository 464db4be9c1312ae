package dev.engram.observe;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.EngramProcess;
import dev.engram.testkit.TempHomes;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** LOG_FORMAT=json, on a real Engram process: its log is JSON lines, the access line with its fields and request id. */
class LogFormatTest {
  @Test
  @DisplayName("LOG_FORMAT=json: every log line is a JSON object; a request's line has method, route, status,"
      + " duration and its request id")
  void jsonLines() throws Exception {
    try (EngramProcess engram = EngramProcess.start(TempHomes.create("engram-json-log-"),
        Map.of("LOG_FORMAT", "json"))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(engram.api.base() + "/health/live"))
          .header("X-Request-Id", "json-log-req-1").timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("json-log-req-1", r.headers().firstValue("X-Request-Id").orElse(null));

      JsonObject access = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (access == null && System.nanoTime() < deadline) {
        access = lines(engram.output()).stream().filter(l -> "dev.engram.access".equals(l.getString("logger_name"))
            && "json-log-req-1".equals(l.getString("request_id"))).findFirst().orElse(null);
        if (access == null) {
          Thread.sleep(50); // the line is written as the response ends, maybe just after the client has it
        }
      }
      String output = engram.output();
      assertNotNull(access, output);
      assertEquals("GET", access.getString("method"));
      assertEquals("/health/live", access.getString("route"));
      assertEquals(200, access.getInteger("status"));
      assertTrue(access.getDouble("duration_ms") >= 0, access.encode());
      assertEquals("INFO", access.getString("level"));
      assertTrue(access.getString("message").startsWith("GET /health/live 200 "), access.encode());
      // the start-up lines too: the whole output is JSON
      assertTrue(lines(output).stream().anyMatch(l -> l.getString("message").startsWith("Engram running on")),
          output);
    }
  }

  /** Each non-empty line as JSON; fails naming the first line that is not a JSON object. */
  private static List<JsonObject> lines(String output) {
    return output.lines().filter(l -> !l.isBlank()).map(l -> {
      try {
        return new JsonObject(l);
      } catch (DecodeException e) {
        throw new AssertionError("not a JSON line: " + l + "\nin:\n" + output, e);
      }
    }).toList();
  }
}
