package dev.engram.testkit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking HTTP client for tests, speaking to the server the way curl and the MemGPT clients do: HTTP/1.1. (The
 * JDK client's default, an h2c upgrade, met a Vert.x 5.0.10 fault: now and then the upgraded connection got body
 * bytes where a frame belonged. See the performance notes of the fifth session of 2026-12-05.)
 */
public final class Api {
  private final String base;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** Called with every answer this client receives (null: none); see {@link #checked}. */
  private final AnswerCheck check;

  /** A check of each answer, e.g. against the server's OpenAPI document ({@link OpenApiSchemas#check}). */
  @FunctionalInterface
  public interface AnswerCheck {
    void check(String method, String pathAndQuery, Response response);
  }

  public Api(String base) {
    this(base, null);
  }

  private Api(String base, AnswerCheck check) {
    this.base = base;
    this.check = check;
  }

  /** The same client, whose every answer (but a stream's) also goes through {@code check}, which throws to fail. */
  public Api checked(AnswerCheck check) {
    return new Api(base, check);
  }

  public String base() {
    return base;
  }

  /** A response: status, raw body, and the body as JSON when it is a JSON object. */
  public record Response(int status, String body, java.net.http.HttpHeaders headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String detail() {
      return json().getString("detail");
    }
  }

  public Response get(String path, String token) {
    return send(builder(path, token).GET());
  }

  public Response delete(String path, String token) {
    return send(builder(path, token).DELETE());
  }

  public Response post(String path, String token, Object body) {
    return send(builder(path, token).POST(publisher(body)));
  }

  public Response put(String path, String token, Object body) {
    return send(builder(path, token).PUT(publisher(body)));
  }

  /** A request authenticated with {@code X-API-Key} (null: none) instead of a bearer token. */
  public Response keyed(String method, String path, String apiKey, Object body) {
    HttpRequest.Builder b = builder(path, null).method(method, body == null
        ? HttpRequest.BodyPublishers.noBody() : publisher(body));
    if (apiKey != null) {
      b.header("X-API-Key", apiKey);
    }
    return send(b);
  }

  public Response patch(String path, String token, Object body) {
    return send(builder(path, token).method("PATCH", publisher(body)));
  }

  /** POSTs and reads a Server-Sent Events stream to its end: the payload of every {@code data:} line, in order. */
  public List<String> stream(String path, String token, JsonObject body) {
    HttpRequest request = builder(path, token).POST(publisher(body)).build();
    try {
      HttpResponse<java.io.InputStream> resp = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      List<String> data = new ArrayList<>();
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
        if (resp.statusCode() != 200) {
          throw new AssertionError("stream answered " + resp.statusCode() + ": " + reader.lines().toList());
        }
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.startsWith("data: ")) {
            data.add(line.substring(6));
          }
        }
      }
      return data;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** POSTs one file as multipart/form-data in the field {@code field} (the upload form of /api/sources). */
  public Response upload(String path, String token, String field, String fileName, byte[] content) {
    String boundary = "engram-test-" + System.nanoTime();
    var out = new java.io.ByteArrayOutputStream();
    String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
        + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(content);
    out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest.Builder b = builder(path, token).setHeader("content-type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()));
    return send(b);
  }

  /** Creates a user with the admin password; returns {@code {"user_id", "api_key"}}. */
  public JsonObject newUser() {
    Response r = post("/admin/users", TestServer.ADMIN, new JsonObject());
    if (r.status() != 200) {
      throw new AssertionError("user creation failed: " + r.body());
    }
    return r.json();
  }

  /** Creates an agent of the seed's shape for the key's user; returns its id. */
  public String newAgent(String token, String name) {
    Response r = post("/api/agents", token, new JsonObject().put("config", new JsonObject().put("name", name)
        .put("preset", "memgpt_chat").put("human", "cs_phd").put("persona", "sam_pov")));
    if (r.status() != 200) {
      throw new AssertionError("agent creation failed: " + r.body());
    }
    return r.json().getJsonObject("agent_state").getString("id");
  }

  public JsonArray messages(String agentId, String token, int count) {
    return get("/api/agents/" + agentId + "/messages?start=0&count=" + count, token).json()
        .getJsonArray("messages");
  }

  private HttpRequest.Builder builder(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("accept", "application/json").header("content-type", "application/json");
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    return b;
  }

  private static HttpRequest.BodyPublisher publisher(Object body) {
    return HttpRequest.BodyPublishers.ofString(body == null ? "" : body.toString());
  }

  private Response send(HttpRequest.Builder builder) {
    HttpRequest request = builder.build();
    Response response;
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      response = new Response(r.statusCode(), r.body(), r.headers());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
    if (check != null) {
      URI uri = request.uri();
      check.check(request.method(), uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
          response);
    }
    return response;
  }
}
