package dev.engram.llm;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Whether the configured LLM endpoint can be reached, for the health checks: {@code GET <base>/models}, answered within
 * two seconds by anything but a server error or a refusal of the key. The answer is kept a while, so that a load
 * balancer's probes do not become a stream of calls to the model's provider. Confined to one event loop.
 */
public final class LlmProbe {
  /** The outcome: {@code reachable}, and why not. */
  public record Reachability(boolean reachable, String detail) {}

  private static final long TIMEOUT_MS = 2_000;
  private static final long KEEP_MS = 15_000;

  private final LlmSettings settings;
  private final WebClient web;
  private Future<Reachability> last;
  private long checkedAt;

  public LlmProbe(Vertx vertx, LlmSettings settings) {
    this.settings = settings;
    this.web = settings.configured() ? WebClient.create(vertx, new WebClientOptions().setUserAgent("engram")
        .setConnectTimeout((int) TIMEOUT_MS)) : null;
  }

  public Future<Reachability> check() {
    if (web == null) {
      return Future.succeededFuture(new Reachability(false, "no LLM is configured (OPENAI_BASE_URL)"));
    }
    long now = System.currentTimeMillis();
    if (last == null || now - checkedAt > KEEP_MS) {
      checkedAt = now;
      last = probe();
    }
    return last;
  }

  private Future<Reachability> probe() {
    String base = settings.baseUrl().endsWith("/") ? settings.baseUrl().substring(0, settings.baseUrl().length() - 1)
        : settings.baseUrl();
    HttpRequest<?> request = web.getAbs(base + "/models").timeout(TIMEOUT_MS);
    if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
      request.putHeader("Authorization", "Bearer " + settings.apiKey());
    }
    return request.send().transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture(new Reachability(false, "the LLM endpoint cannot be reached: "
            + ar.cause().getMessage()));
      }
      int status = ar.result().statusCode();
      if (status == 401 || status == 403) {
        return Future.succeededFuture(new Reachability(false, "the LLM endpoint refuses the API key (" + status
            + ")"));
      }
      // any other answer (a server without /models answers 404) means the endpoint is there
      return Future.succeededFuture(status >= 500
          ? new Reachability(false, "the LLM endpoint answers " + status)
          : new Reachability(true, null));
    });
  }
}
