package dev.engram.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A scripted OpenAI-compatible {@code POST /v1/embeddings} server on an ephemeral port of 127.0.0.1. Each input gets
 * a vector derived from its text (same text, same vector; deliberately not unit length), answered in reverse order
 * with their {@code index}. Queued statuses are answered first, one per request; empty strings are rejected with 400
 * as OpenAI does.
 */
public final class ScriptedEmbeddings {
  /** One request as received: its JSON body and Authorization header. */
  public record Received(JsonObject body, String authorization) {
    public List<String> inputs() {
      return body.getJsonArray("input").stream().map(String.class::cast).toList();
    }
  }

  private final Vertx vertx;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
  private volatile int dimension;
  private volatile long delayMs;
  private volatile boolean keepRequests = true;
  private volatile boolean floatsOnly;
  private volatile BiFunction<String, Integer, float[]> vectors = ScriptedEmbeddings::vectorOf;
  private volatile HttpServer server;

  private ScriptedEmbeddings(Vertx vertx, int dimension) {
    this.vertx = vertx;
    this.dimension = dimension;
  }

  public static Future<ScriptedEmbeddings> start(Vertx vertx, int dimension) {
    ScriptedEmbeddings scripted = new ScriptedEmbeddings(vertx, dimension);
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(scripted::handle).listen().map(server -> {
          scripted.server = server;
          return scripted;
        });
  }

  /** E.g. {@code http://127.0.0.1:41234/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  /** Answers the next requests with these HTTP statuses (an error body each) before answering normally. */
  public ScriptedEmbeddings failWith(Integer... codes) {
    statuses.addAll(List.of(codes));
    return this;
  }

  public ScriptedEmbeddings dimension(int dimension) {
    this.dimension = dimension;
    return this;
  }

  public ScriptedEmbeddings delayMs(long delayMs) {
    this.delayMs = delayMs;
    return this;
  }

  /** Answers {@code vectors.apply(text, dimension)} for each text instead of {@link #vectorOf}. */
  public ScriptedEmbeddings vectors(BiFunction<String, Integer, float[]> vectors) {
    this.vectors = vectors;
    return this;
  }

  /** Answers arrays of numbers even when asked for base64, as servers that ignore {@code encoding_format} do. */
  public ScriptedEmbeddings floatsOnly(boolean floatsOnly) {
    this.floatsOnly = floatsOnly;
    return this;
  }

  /** Whether requests are kept for {@link #received()} (benchmarks turn it off). */
  public ScriptedEmbeddings keepRequests(boolean keep) {
    keepRequests = keep;
    return this;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public ScriptedEmbeddings reset() {
    received.clear();
    statuses.clear();
    delayMs = 0;
    floatsOnly = false;
    return this;
  }

  public Future<Void> close() {
    return server.close();
  }

  /** The raw (not normalised) vector this server answers for a text. */
  public static float[] vectorOf(String text, int dimension) {
    Random random = new Random(text.hashCode());
    float[] vector = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      vector[i] = (float) (random.nextGaussian() * 3);
    }
    return vector;
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(buffer -> {
      if (!request.path().equals("/v1/embeddings") || request.method().name().equals("GET")) {
        request.response().setStatusCode(404).end();
        return;
      }
      JsonObject body = buffer.toJsonObject();
      if (keepRequests) {
        received.add(new Received(body, request.getHeader("Authorization")));
      }
      Integer status = statuses.poll();
      if (status != null) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
            .end(error("scripted failure " + status));
        return;
      }
      JsonArray input = body.getJsonArray("input");
      JsonArray data = new JsonArray();
      for (int i = input.size() - 1; i >= 0; i--) {
        String text = input.getString(i);
        if (text.isEmpty()) {
          request.response().setStatusCode(400).end(error("'$.input' is invalid: empty string"));
          return;
        }
        float[] vector = vectors.apply(text, dimension);
        Object embedding;
        if ("base64".equals(body.getString("encoding_format")) && !floatsOnly) { // as OpenAI answers it
          ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
          bytes.asFloatBuffer().put(vector);
          embedding = Base64.getEncoder().encodeToString(bytes.array());
        } else {
          JsonArray numbers = new JsonArray();
          for (float x : vector) {
            numbers.add(x);
          }
          embedding = numbers;
        }
        data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", embedding));
      }
      String answer = new JsonObject().put("object", "list").put("data", data)
          .put("model", body.getString("model")).encode();
      if (delayMs > 0) {
        vertx.setTimer(delayMs, id -> request.response().putHeader("Content-Type", "application/json").end(answer));
      } else {
        request.response().putHeader("Content-Type", "application/json").end(answer);
      }
    });
  }

  private static String error(String message) {
    return new JsonObject().put("error", new JsonObject().put("message", message)).encode();
  }
}
