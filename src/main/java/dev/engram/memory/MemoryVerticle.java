package dev.engram.memory;

import static dev.engram.memory.MemoryRequests.*;

import dev.engram.llm.MeteredLlm;
import dev.engram.llm.OpenAiClient;
import dev.engram.observe.EngramMetrics;
import dev.engram.config.EngramConfig;
import dev.engram.embed.EmbedClient;
import dev.engram.kernel.ApiException;
import dev.engram.store.MemoryClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The memory verticle: Mem0's add (with LLM inference) and the semantic-memory chat, the two memory-service paths
 * that call the LLM. Instances share the addresses; settings changed by /configure are published to all of them.
 */
public final class MemoryVerticle extends VerticleBase {
  private final EngramConfig config;
  private volatile MemorySettings settings;
  private OpenAiClient llm;

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
    return Future.all(
        ADD.serve(vertx, (AddMemories r) -> inference.add(r).map(Added::new)),
        CHAT.serve(vertx, chat::chat),
        CONFIGURE.serve(vertx, this::configure));
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
    if (llm != null) {
      llm.close();
    }
    return Future.succeededFuture();
  }
}
