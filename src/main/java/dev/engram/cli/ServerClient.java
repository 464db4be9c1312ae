package dev.engram.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The few {@code /api} calls the terminal chat makes, over plain HTTP with a bearer token. A refusal becomes a
 * {@link Refused} carrying the server's own {@code detail}, so the user reads what the server said.
 */
final class ServerClient {
  /** The server answered with an error status; {@code getMessage()} is its detail. */
  static final class Refused extends IOException {
    final int status;

    Refused(int status, String detail) {
      super(detail);
      this.status = status;
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String token;

  ServerClient(String base, String token) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
  }

  String base() {
    return base;
  }

  JsonArray agents() throws IOException {
    return send(request("/api/agents").GET()).getJsonArray("agents", new JsonArray());
  }

  /** A new agent with the default preset, persona and human. */
  JsonObject createAgent(String name) throws IOException {
    JsonObject body = new JsonObject().put("config", new JsonObject().put("name", name));
    return send(request("/api/agents").POST(json(body))).getJsonObject("agent_state");
  }

  /** {@code {"core_memory": {...}, "recall_memory": n, "archival_memory": n}}. */
  JsonObject memory(String agentId) throws IOException {
    return send(request("/api/agents/" + encode(agentId) + "/memory").GET());
  }

  /** Sends a message and hands every event of the streamed run to {@code onEvent}, until the stream ends. */
  void send(String agentId, String message, Consumer<JsonObject> onEvent) throws IOException {
    JsonObject body = new JsonObject().put("message", message).put("stream", true).put("role", "user");
    HttpRequest req = request("/api/agents/" + encode(agentId) + "/messages").POST(json(body))
        .header("accept", "text/event-stream").build();
    HttpResponse<InputStream> resp = call(req, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
      if (resp.statusCode() != 200) {
        throw refused(resp.statusCode(), String.join("\n", reader.lines().toList()));
      }
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.startsWith("data: ")) {
          continue;
        }
        String data = line.substring(6);
        if ("[DONE]".equals(data)) {
          return;
        }
        onEvent.accept(new JsonObject(data));
      }
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).header("authorization", "Bearer " + token);
  }

  private JsonObject send(HttpRequest.Builder builder) throws IOException {
    HttpResponse<String> resp = call(builder.header("content-type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() >= 300) {
      throw refused(resp.statusCode(), resp.body());
    }
    return new JsonObject(resp.body());
  }

  private <T> HttpResponse<T> call(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
    try {
      return http.send(req, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (java.net.ConnectException e) {
      throw new IOException("cannot reach Engram at " + base + " (is it running?)", e);
    }
  }

  private static Refused refused(int status, String body) {
    String detail = body;
    try {
      detail = new JsonObject(body).getString("detail", body);
    } catch (RuntimeException notJson) {
      // keep the body as it came
    }
    return new Refused(status, detail);
  }

  private static HttpRequest.BodyPublisher json(JsonObject body) {
    return HttpRequest.BodyPublishers.ofString(body.encode());
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
