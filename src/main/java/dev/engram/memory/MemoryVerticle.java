package dev.engram.memory;

import static dev.engram.memory.MemoryRequests.*;

import dev.engram.llm.MeteredLlm;
import dev.engram.llm.OpenAiClient;
import dev.engram.observe.EngramMetrics;
import dev.engram.cluster.Placement;
import dev.engram.config.EngramConfig;
import dev.engram.embed.EmbedClient;
import dev.engram.kernel.ApiException;
import dev.engram.store.AddEventClient;
import dev.engram.store.MemoryClient;
import dev.engram.store.WebhookClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The memory verticle: Mem0's add (with LLM inference, at once or in the background) and the semantic-memory chat,
 * the memory-service paths that call the LLM. Instances share the addresses; settings changed by /configure are
 * published to all of them. Each instance extracts asynchronous adds, and resumes the PENDING ones it finds.
 */
public final class MemoryVerticle extends VerticleBase {
  private final EngramConfig config;
  private volatile MemorySettings settings;
  private OpenAiClient llm;
  private WebhookSender webhooks;
  private AsyncAdds async;

  public MemoryVerticle(EngramConfig config) {
    this.config = config;
    this.settings = MemorySettings.defaults(config.llm());
  }

  @Override
  public Future<?> start() {
    llm = new OpenAiClient(vertx, config.llm());
    var embedder = new EmbedClient(vertx, config.embedding().timeoutMs());
    var store = new MemoryClient(vertx);
    var metered = new MeteredLlm(llm, EngramMetrics.of(vertx), config.llm().model());
    var inference = new MemoryInference(metered, embedder, store, () -> settings, config.embedding().model());
    var chat = new MemoryChat(inference, embedder, store, () -> settings, config.embedding().model());
    SETTINGS_CHANGED.subscribe(vertx, changed -> settings = changed.settings());
    var memory = config.memory();
    webhooks = new WebhookSender(vertx, new WebhookClient(vertx), memory.webhookAttempts(),
        memory.webhookRetryBaseMs());
    Placement placement = Placement.of(vertx);
    async = new AsyncAdds(vertx, inference, new AddEventClient(vertx), webhooks, config.embedding().model(),
        memory.asyncWorkers(), Placement.runnerId(vertx),
        placement == null ? null : new AsyncAdds.Cluster(placement::healthy, config.cluster().leaseMs()));
    return Future.all(
        ADD.serve(vertx, (AddMemories r) -> inference.add(r).map(Added::new)),
        ADD_ASYNC.serve(vertx, (AddMemories r) -> async.accept(r).map(Accepted::new)),
        CHAT.serve(vertx, chat::chat),
        CONFIGURE.serve(vertx, this::configure))
        .onSuccess(v -> async.start());
  }

  private Future<Configured> configure(Configure request) {
    MemorySettings.Configured result;
    try {
      result = settings.configure(request.config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.badRequest("Invalid configuration: " + e.getMessage()));
    }
    settings = result.settings();
    SETTINGS_CHANGED.publish(vertx, new SettingsChanged(result.settings()));
    return Future.succeededFuture(new Configured(result.applied(), result.ignored()));
  }

  @Override
  public Future<?> stop() {
    if (async != null) {
      async.stop();
    }
    if (llm != null) {
      llm.close();
    }
    if (webhooks != null) {
      webhooks.close();
    }
    return Future.succeededFuture();
  }
}
