package dev.engram.memory;

import dev.engram.kernel.Endpoint;
import dev.engram.model.AddEvent;
import static dev.engram.memory.MemoryRequests.*;

import dev.engram.store.MemoryProtocol.Applied;
import dev.engram.store.MemoryProtocol.Scope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Typed access to the memory verticle over the event bus (the LLM paths: add with inference, chat, configure). */
public final class MemoryService {
  private final Vertx vertx;
  private final DeliveryOptions options;

  /** {@code timeoutMs} must cover two LLM calls with their retries. */
  public MemoryService(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  public Future<List<Applied>> add(String userId, Scope scope, List<Turn> messages, Map<String, Object> metadata,
      boolean infer, String memoryType, String prompt, Instant expirationDate) {
    return ask(ADD, new AddMemories(userId, scope, messages, metadata, infer, memoryType, prompt, expirationDate))
        .map(Added::results);
  }

  /** An add with inference whose extraction runs in the background; answers its event once the raw messages are in. */
  public Future<AddEvent> addAsync(String userId, Scope scope, List<Turn> messages, Map<String, Object> metadata,
      Instant expirationDate) {
    return ask(ADD_ASYNC, new AddMemories(userId, scope, messages, metadata, true, null, null, expirationDate))
        .map(Accepted::event);
  }

  public Future<ChatAnswer> chat(String userId, String sessionId, String externalUserId, String message) {
    return ask(CHAT, new Chat(userId, sessionId, externalUserId, message));
  }

  public Future<Configured> configure(Map<String, Object> config) {
    return ask(CONFIGURE, new Configure(config));
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, options);
  }
}
