package dev.engram.llm;

import dev.engram.observe.EngramMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * An LLM client whose calls are measured by model: latency by outcome ({@code engram_llm_request_seconds}), the
 * tokens the model reported ({@code engram_llm_tokens_total}) and failures by kind ({@code engram_llm_errors_total}:
 * timeout, upstream, context_overflow). A call is measured whole, with its retries.
 */
public final class MeteredLlm implements LlmClient {
  private final LlmClient client;
  private final EngramMetrics metrics;
  private final String defaultModel;

  public MeteredLlm(LlmClient client, EngramMetrics metrics, String defaultModel) {
    this.client = client;
    this.metrics = metrics;
    this.defaultModel = defaultModel;
  }

  @Override
  public Future<LlmReply> complete(LlmRequest request) {
    long start = System.nanoTime();
    return client.complete(request).andThen(ar -> record(request, start, ar));
  }

  @Override
  public Future<LlmReply> stream(LlmRequest request, Consumer<LlmDelta> onDelta) {
    long start = System.nanoTime();
    return client.stream(request, onDelta).andThen(ar -> record(request, start, ar));
  }

  private void record(LlmRequest request, long start, AsyncResult<LlmReply> ar) {
    long nanos = System.nanoTime() - start;
    EngramMetrics.LlmMeters meters = metrics.llm(request.model() == null ? defaultModel : request.model());
    if (ar.succeeded()) {
      LlmReply.Usage usage = ar.result().usage();
      meters.succeeded(nanos, usage == null ? 0 : usage.promptTokens(), usage == null ? 0 : usage.completionTokens());
    } else {
      meters.failed(nanos, ar.cause() instanceof LlmException e ? e.kind().name().toLowerCase(Locale.ROOT)
          : "other");
    }
  }
}
