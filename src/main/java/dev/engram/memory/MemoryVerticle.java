package dev.engram.memory;

import dev.engram.llm.OpenAiClient;
import dev.engram.config.EngramConfig;
import dev.engram.embed.EmbedClient;
import dev.engram.kernel.Addresses;
import dev.engram.kernel.BusService;
import dev.engram.memory.MemoryRequests.AddMemories;
import dev.engram.memory.MemoryRequests.Added;
import dev.engram.memory.MemoryRequests.Chat;
import dev.engram.memory.MemoryRequests.Configure;
import dev.engram.memory.MemoryRequests.Configured;
import dev.engram.memory.MemoryRequests.SettingsChanged;
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
    var inference = new MemoryInference(llm, embedder, store, () -> settings, config.embedding().model());
    var chat = new MemoryChat(inference, embedder, store, () -> settings, config.embedding().model());
    vertx.eventBus().<SettingsChanged>consumer(Addresses.MEMORY_SETTINGS, m -> settings = m.body().settings());
    return Future.all(
        BusService.serve(vertx, Addresses.MEMORY_ADD, (AddMemories r) -> inference.add(r).map(Added::new)),
        BusService.serve(vertx, Addresses.MEMORY_CHAT, chat::chat),
        BusService.serve(vertx, Addresses.MEMORY_CONFIGURE, this::configure));
  }

  private Future<Configured> configure(Configure request) {
    MemorySettings.Configured result;
    try {
      result = settings.configure(request.config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.badRequest("Invalid configuration: " + e.getMessage()));
    }
    settings = result.settings();
    vertx.eventBus().publish(Addresses.MEMORY_SETTINGS, new SettingsChanged(result.settings()));
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
