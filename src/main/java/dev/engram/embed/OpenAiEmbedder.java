package dev.engram.embed;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.RetryAfter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any OpenAI-compatible {@code POST {baseUrl}/embeddings} endpoint, reached without blocking via the Vert.x
 * WebClient. A request is cut into calls of at most {@code batchSize} inputs, {@code threads} of them in flight;
 * each call has a timeout and is retried with exponential backoff on 429, 5xx, timeouts and connection failures.
 * Vectors must have {@code dimension} floats and are scaled to unit length. Blank texts are sent as one space,
 * since such endpoints reject empty input.
 */
public final class OpenAiEmbedder implements Embedder {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiEmbedder.class);
  static final int MAX_RETRIES = 4;
  private static final long MAX_DELAY_MS = 20_000;
  /** Calls in flight at once (one connection each); every add or search embeds on its own, so not the default 5. */
  static final int MAX_CONNECTIONS = 64;

  private final Vertx vertx;
  private final EmbeddingSettings settings;
  private final WebClient web;
  private final String url;
  private final long retryBaseMs;
  private final AtomicInteger calls = new AtomicInteger();

  public OpenAiEmbedder(Vertx vertx, EmbeddingSettings settings) {
    this(vertx, settings, 250);
  }

  /** With a chosen first retry delay (tests use a few milliseconds). */
  OpenAiEmbedder(Vertx vertx, EmbeddingSettings settings, long retryBaseMs) {
    this.vertx = vertx;
    this.settings = settings;
    this.retryBaseMs = Math.max(1, retryBaseMs);
    this.web = WebClient.create(vertx, new WebClientOptions().setUserAgent("engram")
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeoutMs())),
        new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
    String base = settings.baseUrl().strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    this.url = base + "/embeddings";
  }

  @Override
  public String model() {
    return settings.model();
  }

  @Override
  public int dimension() {
    return settings.dimension();
  }

  /** HTTP calls made so far, retries included. */
  public int calls() {
    return calls.get();
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    try {
      EmbedInput.validate(texts);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (texts.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    int size = Math.max(1, settings.batchSize());
    List<List<String>> chunks = new ArrayList<>();
    for (int from = 0; from < texts.size(); from += size) {
      chunks.add(texts.subList(from, Math.min(texts.size(), from + size)));
    }
    float[][] out = new float[texts.size()][];
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < Math.min(chunks.size(), Math.max(1, settings.threads())); lane++) {
      lanes.add(drain(chunks, next, failed, size, out).onFailure(e -> failed.set(true)));
    }
    return Future.all(lanes).map(v -> List.of(out));
  }

  @Override
  public void close() {
    web.close();
  }

  /** Sends chunks one after another until none are left or a lane failed; the lanes share {@code next}. */
  private Future<Void> drain(List<List<String>> chunks, AtomicInteger next, AtomicBoolean failed, int size,
      float[][] out) {
    int index = next.getAndIncrement();
    if (index >= chunks.size() || failed.get()) {
      return Future.succeededFuture();
    }
    List<String> chunk = chunks.get(index);
    JsonArray input = new JsonArray();
    chunk.forEach(text -> input.add(text.isBlank() ? " " : text));
    Buffer body = new JsonObject().put("model", settings.model()).put("input", input)
        .put("encoding_format", "base64").toBuffer();
    Promise<List<float[]>> promise = Promise.promise();
    attempt(body, chunk.size(), 0, promise);
    return promise.future().compose(vectors -> {
      for (int i = 0; i < vectors.size(); i++) {
        out[index * size + i] = vectors.get(i);
      }
      return drain(chunks, next, failed, size, out);
    });
  }

  private void attempt(Buffer body, int expected, int attempt, Promise<List<float[]>> promise) {
    calls.incrementAndGet();
    HttpRequest<Buffer> request = web.postAbs(url).timeout(settings.timeoutMs())
        .putHeader("Content-Type", "application/json").putHeader("Accept", "application/json");
    if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
      request.putHeader("Authorization", "Bearer " + settings.apiKey());
    }
    request.sendBuffer(body).onComplete(ar -> {
      if (ar.failed()) {
        boolean timeout = ar.cause() instanceof TimeoutException;
        ApiException failure = timeout
            ? new ApiException(ErrorKind.TIMEOUT, "embedding endpoint " + url + " did not answer within "
                + settings.timeoutMs() + " ms")
            : new ApiException(ErrorKind.UPSTREAM, "cannot reach embedding endpoint " + url + ": " + ar.cause());
        retryOrFail(body, expected, attempt, promise, failure, -1);
        return;
      }
      HttpResponse<Buffer> response = ar.result();
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        promise.handle(parse(response, expected));
      } else {
        ApiException failure = new ApiException(ErrorKind.UPSTREAM, "embedding endpoint answered HTTP " + status
            + ": " + excerpt(response.bodyAsString()));
        if (status == 429 || status >= 500) {
          retryOrFail(body, expected, attempt, promise, failure, retryAfterMs(response.getHeader("Retry-After")));
        } else {
          promise.fail(failure);
        }
      }
    });
  }

  private void retryOrFail(Buffer body, int expected, int attempt, Promise<List<float[]>> promise,
      ApiException failure, long retryAfterMs) {
    if (attempt >= MAX_RETRIES) {
      LOG.warn("embedding call to {} failed after {} attempts: {}", url, attempt + 1, failure.getMessage());
      promise.fail(failure);
      return;
    }
    long backoff = retryBaseMs << attempt;
    long delay = retryAfterMs >= 0 ? retryAfterMs
        : backoff + ThreadLocalRandom.current().nextLong(backoff / 4 + 1);
    LOG.debug("embedding call to {} failed ({}), retry {} in {} ms", url, failure.getMessage(), attempt + 1, delay);
    vertx.setTimer(Math.max(1, Math.min(MAX_DELAY_MS, delay)), id -> attempt(body, expected, attempt + 1, promise));
  }

  private Future<List<float[]>> parse(HttpResponse<Buffer> response, int expected) {
    try {
      JsonArray data = response.bodyAsJsonObject().getJsonArray("data");
      if (data == null || data.size() != expected) {
        return upstream("embedding endpoint returned " + (data == null ? "no" : data.size()) + " vectors for "
            + expected + " inputs");
      }
      float[][] vectors = new float[expected][];
      for (int i = 0; i < expected; i++) {
        JsonObject item = data.getJsonObject(i);
        int index = item.getInteger("index", i);
        float[] vector = floats(item.getValue("embedding"));
        if (index < 0 || index >= expected || vectors[index] != null || vector == null) {
          return upstream("embedding endpoint returned a malformed data item at position " + i);
        }
        if (vector.length != settings.dimension()) {
          return upstream("embedding endpoint returned vectors of " + vector.length
              + " floats, but EMBEDDING_DIM is " + settings.dimension());
        }
        vectors[index] = VectorMath.normalize(vector);
      }
      return Future.succeededFuture(List.of(vectors));
    } catch (RuntimeException e) {
      return upstream("malformed answer from embedding endpoint: " + excerpt(response.bodyAsString()));
    }
  }

  /**
   * An embedding as the endpoint sent it: base64 of little-endian float32s, which we ask for (as OpenAI's own clients
   * do: a quarter of the bytes of decimal text, and no number parsing), or an array of numbers, from servers that
   * ignore {@code encoding_format}; null for anything else.
   */
  static float[] floats(Object embedding) {
    if (embedding instanceof String base64) {
      ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
      if (bytes.remaining() % Float.BYTES != 0) {
        return null;
      }
      float[] vector = new float[bytes.remaining() / Float.BYTES];
      bytes.asFloatBuffer().get(vector);
      return vector;
    }
    if (embedding instanceof JsonArray numbers) {
      float[] vector = new float[numbers.size()];
      for (int d = 0; d < vector.length; d++) {
        vector[d] = numbers.getNumber(d).floatValue();
      }
      return vector;
    }
    return null;
  }

  private static Future<List<float[]>> upstream(String detail) {
    return Future.failedFuture(new ApiException(ErrorKind.UPSTREAM, detail));
  }

  /** A numeric {@code Retry-After} header in milliseconds (capped), or -1 when absent or not a number of seconds. */
  static long retryAfterMs(String header) {
    return RetryAfter.millis(header, MAX_DELAY_MS);
  }

  private static String excerpt(String body) {
    if (body == null) {
      return "";
    }
    return body.length() <= 300 ? body : body.substring(0, 300) + "…";
  }
}
