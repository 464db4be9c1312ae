package dev.engram.llm;

import dev.engram.kernel.RetryAfter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
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
  private final HttpClientAgent http;
  private final WebClient web;
  private final String url;
  private final RequestEncoder encoder = new RequestEncoder();
  /** Set when the verticle stops: a retry waiting on its timer is then dropped instead of using the closed client. */
  private volatile boolean closed;

  public OpenAiClient(Vertx vertx, LlmSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    // one connection pool for both: whole replies through the WebClient, streamed ones read chunk by chunk
    this.http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
    this.web = WebClient.wrap(http, new WebClientOptions().setUserAgent("engram"));
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

  /**
   * Asks with {@code stream: true} whatever LLM_STREAM says, and reads the chunks as they arrive: each fragment goes
   * to {@code onDelta} at once. A failure before the first fragment is retried like any call; after it, it is not
   * (the caller has passed fragments on). An endpoint that answers a whole JSON completion instead is taken as is.
   */
  @Override
  public Future<LlmReply> stream(LlmRequest request, Consumer<LlmDelta> onDelta) {
    if (url == null) {
      return Future.failedFuture(new LlmException(LlmException.Kind.UPSTREAM, "no LLM endpoint is configured"));
    }
    Buffer body = encoder.encode(request, settings.model(), true);
    Promise<LlmReply> promise = Promise.promise();
    boolean[] relayed = {false};
    Consumer<LlmDelta> relay = delta -> {
      relayed[0] = true;
      onDelta.accept(delta);
    };
    if (Vertx.currentContext() == null) {
      // called off Vert.x (tests, tools): the response's handlers must be set on the thread that delivers it, or a
      // short answer (an error) can end before body() is asked for, and that body() then never completes
      vertx.getOrCreateContext().runOnContext(v -> streamAttempt(body, 0, relay, relayed, promise));
    } else {
      streamAttempt(body, 0, relay, relayed, promise);
    }
    return promise.future();
  }

  /** Releases the underlying HTTP client. */
  public void close() {
    closed = true;
    web.close();
    http.close();
  }

  private void streamAttempt(Buffer body, int attempt, Consumer<LlmDelta> onDelta, boolean[] relayed,
      Promise<LlmReply> promise) {
    if (closed) {
      return; // the server is stopping: the call is abandoned, and its run is failed at the next start
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .setIdleTimeout(settings.timeoutMs()).putHeader("Accept", "text/event-stream")
        .putHeader("Content-Type", "application/json").putHeader("User-Agent", "engram");
    if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
      options.putHeader("Authorization", "Bearer " + settings.apiKey());
    }
    http.request(options).compose(req -> req.send(body)).onComplete(ar -> {
      if (ar.failed()) {
        streamFailed(ar.cause(), body, attempt, onDelta, relayed, promise);
        return;
      }
      HttpClientResponse response = ar.result();
      String type = response.getHeader("Content-Type");
      if (response.statusCode() < 200 || response.statusCode() >= 300 || type == null
          || !type.contains("event-stream")) {
        // an error, or an endpoint that ignored stream=true: read it whole
        response.body().onComplete(whole -> {
          if (whole.failed()) {
            streamFailed(whole.cause(), body, attempt, onDelta, relayed, promise);
          } else if (response.statusCode() >= 200 && response.statusCode() < 300) {
            promise.handle(parse(whole.result().toString()));
          } else {
            onError(response.statusCode(), whole.result().toString(), response.getHeader("Retry-After"), attempt,
                promise, delay -> vertx.setTimer(delay, t -> streamAttempt(body, attempt + 1, onDelta, relayed,
                    promise)));
          }
        });
        return;
      }
      OpenAiWire.StreamAssembler assembler = new OpenAiWire.StreamAssembler(onDelta);
      boolean[] ended = {false};
      RecordParser lines = RecordParser.newDelimited("\n", line -> {
        if (ended[0] || promise.future().isComplete()) {
          return;
        }
        try {
          ended[0] = !assembler.acceptLine(line.toString());
        } catch (LlmException e) {
          response.request().reset();
          promise.tryFail(e);
        } catch (RuntimeException e) {
          response.request().reset();
          promise.tryFail(new LlmException(LlmException.Kind.UPSTREAM, "malformed chunk from LLM endpoint: " + e));
        }
      });
      response.handler(lines);
      response.exceptionHandler(e -> streamFailed(e, body, attempt, onDelta, relayed, promise));
      response.endHandler(v -> {
        if (promise.future().isComplete()) {
          return;
        }
        try {
          promise.complete(assembler.finish());
        } catch (LlmException e) {
          promise.fail(e);
        }
      });
    });
  }

  /** A streamed call that broke: retried like a whole one while nothing was relayed, failed otherwise. */
  private void streamFailed(Throwable cause, Buffer body, int attempt, Consumer<LlmDelta> onDelta,
      boolean[] relayed, Promise<LlmReply> promise) {
    if (promise.future().isComplete()) {
      return;
    }
    boolean timeout = cause instanceof TimeoutException
        || String.valueOf(cause.getMessage()).toLowerCase().contains("timeout");
    LlmException failure = timeout
        ? new LlmException(LlmException.Kind.TIMEOUT, "no data from LLM endpoint for " + settings.timeoutMs()
            + " ms (" + (attempt + 1) + " attempt(s))")
        : new LlmException(LlmException.Kind.UPSTREAM, "LLM endpoint " + url + " broke off its stream ("
            + (attempt + 1) + " attempt(s)): " + cause);
    if (relayed[0]) {
      promise.tryFail(failure);
      return;
    }
    retryOrFail(failure, timeout ? "timeout" : cause.toString(), attempt, promise, -1,
        delay -> vertx.setTimer(delay, t -> streamAttempt(body, attempt + 1, onDelta, relayed, promise)));
  }

  private void attempt(Buffer body, int attempt, Promise<LlmReply> promise) {
    if (closed) {
      return; // the server is stopping: the call is abandoned, and its run is failed at the next start
    }
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
    } else {
      onError(status, text, response.getHeader("Retry-After"), attempt, promise,
          delay -> vertx.setTimer(delay, id -> attempt(body, attempt + 1, promise)));
    }
  }

  /** An error answer: 429 and 5xx are retried with {@code again} (given the delay), others fail at once. */
  private void onError(int status, String text, String retryAfter, int attempt, Promise<LlmReply> promise,
      LongConsumer again) {
    if (status == 429 || status >= 500) {
      LlmException failure = new LlmException(LlmException.Kind.UPSTREAM, "LLM endpoint answered HTTP " + status
          + " after " + (attempt + 1) + " attempt(s): " + OpenAiWire.excerpt(text));
      retryOrFail(failure, "HTTP " + status, attempt, promise, retryAfterMs(retryAfter), again);
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
    LongConsumer again = delay -> vertx.setTimer(delay, id -> attempt(body, attempt + 1, promise));
    if (cause instanceof TimeoutException) {
      LlmException failure = new LlmException(LlmException.Kind.TIMEOUT,
          "no answer from LLM endpoint within " + settings.timeoutMs() + " ms (" + (attempt + 1) + " attempt(s))");
      retryOrFail(failure, "timeout", attempt, promise, -1, again);
    } else {
      LlmException failure = new LlmException(LlmException.Kind.UPSTREAM,
          "cannot reach LLM endpoint " + url + " (" + (attempt + 1) + " attempt(s)): " + cause);
      retryOrFail(failure, cause.toString(), attempt, promise, -1, again);
    }
  }

  /** Fails when the retries are spent, else calls {@code again} with the delay before the next attempt. */
  private void retryOrFail(LlmException failure, String reason, int attempt, Promise<LlmReply> promise,
      long retryAfterMs, LongConsumer again) {
    int maxRetries = Math.max(0, settings.maxRetries());
    if (attempt >= maxRetries) {
      LOG.warn("LLM call to {} failed ({}) on attempt {}, giving up", url, reason, attempt + 1);
      promise.fail(failure);
      return;
    }
    long delay = retryAfterMs >= 0 ? Math.min(retryAfterMs, MAX_DELAY_MS) : backoffMs(attempt);
    LOG.warn("LLM call to {} failed ({}) on attempt {}, retry {}/{} in {} ms",
        url, reason, attempt + 1, attempt + 1, maxRetries, delay);
    again.accept(Math.max(1, delay));
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
