package dev.engram.llm;

import dev.engram.kernel.RetryAfter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible chat-completions endpoint reached with the Vert.x {@link WebClient}: per-attempt timeout,
 * retries with exponential backoff on 429, 5xx, connection errors and timeouts, optional SSE streaming. Up to
 * {@link #MAX_CONNECTIONS} calls run at once.
 */
public final class OpenAiClient implements LlmClient {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiClient.class);
  private static final long MAX_DELAY_MS = 30_000;
  private static final int MAX_BACKOFF_SHIFT = 20;

  /** Concurrent calls (one connection each): agents wait seconds on a real model, so this is far above the default 5. */
  static final int MAX_CONNECTIONS = 256;

  private final Vertx vertx;
  private final LlmSettings settings;
  private final WebClient web;
  private final String url;
  private final RequestEncoder encoder = new RequestEncoder();

  public OpenAiClient(Vertx vertx, LlmSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.web = WebClient.create(vertx, new WebClientOptions().setUserAgent("engram"),
        new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
    this.url = settings.configured() ? stripTrailingSlash(settings.baseUrl()) + "/chat/completions" : null;
  }

  @Override
  public Future<LlmReply> complete(LlmRequest request) {
    if (url == null) {
      return Future.failedFuture(new LlmException(LlmException.Kind.UPSTREAM, "no LLM endpoint is configured"));
    }
    Buffer body = encoder.encode(request, settings.model(), settings.stream());
    if (LOG.isDebugEnabled()) {
      LOG.debug("chat completion request to {}: {}", url, body);
    }
    Promise<LlmReply> promise = Promise.promise();
    attempt(body, 0, promise);
    return promise.future();
  }

  /** Releases the underlying HTTP client. */
  public void close() {
    web.close();
  }

  private void attempt(Buffer body, int attempt, Promise<LlmReply> promise) {
    HttpRequest<Buffer> request = web.postAbs(url)
        .timeout(settings.timeoutMs())
        .putHeader("Accept", settings.stream() ? "text/event-stream" : "application/json");
    if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
      request.putHeader("Authorization", "Bearer " + settings.apiKey());
    }
    request.putHeader("Content-Type", "application/json").sendBuffer(body).onComplete(ar -> {
      if (ar.succeeded()) {
        onResponse(ar.result(), body, attempt, promise);
      } else {
        onFailure(ar.cause(), body, attempt, promise);
      }
    });
  }

  private void onResponse(HttpResponse<Buffer> response, Buffer body, int attempt, Promise<LlmReply> promise) {
    int status = response.statusCode();
    String text = response.bodyAsString() == null ? "" : response.bodyAsString();
    if (status >= 200 && status < 300) {
      promise.handle(parse(text));
    } else if (status == 429 || status >= 500) {
      String reason = "HTTP " + status;
      LlmException failure = new LlmException(LlmException.Kind.UPSTREAM,
          "LLM endpoint answered HTTP " + status + " after " + (attempt + 1) + " attempt(s): " + OpenAiWire.excerpt(text));
      retryOrFail(body, attempt, promise, failure, reason, retryAfterMs(response.getHeader("Retry-After")));
    } else if (status == 400 && OpenAiWire.isContextOverflow(text)) {
      promise.fail(new LlmException(LlmException.Kind.CONTEXT_OVERFLOW,
          "prompt exceeds the model's context window: " + OpenAiWire.excerpt(text)));
    } else {
      promise.fail(new LlmException(LlmException.Kind.UPSTREAM,
          "LLM endpoint answered HTTP " + status + ": " + OpenAiWire.excerpt(text)));
    }
  }

  private Future<LlmReply> parse(String text) {
    try {
      LlmReply reply = settings.stream() ? OpenAiWire.parseStream(text) : OpenAiWire.parseCompletion(text);
      return Future.succeededFuture(reply);
    } catch (LlmException e) {
      LOG.warn("unusable answer from {}: {}", url, e.getMessage());
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      LOG.warn("malformed answer from {}: {}", url, e.toString());
      return Future.failedFuture(new LlmException(LlmException.Kind.UPSTREAM,
          "malformed answer from LLM endpoint: " + OpenAiWire.excerpt(text)));
    }
  }

  private void onFailure(Throwable cause, Buffer body, int attempt, Promise<LlmReply> promise) {
    if (cause instanceof TimeoutException) {
      LlmException failure = new LlmException(LlmException.Kind.TIMEOUT,
          "no answer from LLM endpoint within " + settings.timeoutMs() + " ms (" + (attempt + 1) + " attempt(s))");
      retryOrFail(body, attempt, promise, failure, "timeout", -1);
    } else {
      LlmException failure = new LlmException(LlmException.Kind.UPSTREAM,
          "cannot reach LLM endpoint " + url + " (" + (attempt + 1) + " attempt(s)): " + cause);
      retryOrFail(body, attempt, promise, failure, cause.toString(), -1);
    }
  }

  private void retryOrFail(Buffer body, int attempt, Promise<LlmReply> promise, LlmException failure,
      String reason, long retryAfterMs) {
    int maxRetries = Math.max(0, settings.maxRetries());
    if (attempt >= maxRetries) {
      LOG.warn("LLM call to {} failed ({}) on attempt {}, giving up", url, reason, attempt + 1);
      promise.fail(failure);
      return;
    }
    long delay = retryAfterMs >= 0 ? Math.min(retryAfterMs, MAX_DELAY_MS) : backoffMs(attempt);
    LOG.warn("LLM call to {} failed ({}) on attempt {}, retry {}/{} in {} ms",
        url, reason, attempt + 1, attempt + 1, maxRetries, delay);
    vertx.setTimer(Math.max(1, delay), id -> attempt(body, attempt + 1, promise));
  }

  /** {@code base * 2^attempt} plus up to 10% jitter, capped at 30 s. */
  private long backoffMs(int attempt) {
    long base = Math.max(1, settings.retryBaseDelayMs());
    long exponential = base << Math.min(attempt, MAX_BACKOFF_SHIFT);
    long jitter = ThreadLocalRandom.current().nextLong(exponential / 10 + 1);
    return Math.min(MAX_DELAY_MS, exponential + jitter);
  }

  /** A numeric {@code Retry-After} header in milliseconds (capped), or -1 when absent or not a number of seconds. */
  static long retryAfterMs(String header) {
    return RetryAfter.millis(header, MAX_DELAY_MS);
  }

  private static String stripTrailingSlash(String baseUrl) {
    String trimmed = baseUrl.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed;
  }
}
