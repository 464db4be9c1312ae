package dev.engram.store;

import static dev.engram.store.AddEventProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.AddEvent;
import dev.engram.store.MemoryProtocol.Change;
import dev.engram.store.MemoryProtocol.NewMemory;
import dev.engram.store.MemoryProtocol.Scope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;
import java.util.Map;

/** Typed access to the persistence verticle's asynchronous-add events over the event bus. */
public final class AddEventClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(60_000);

  private final Vertx vertx;

  public AddEventClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<AddEvent> open(String userId, String eventId, Scope scope, String model, List<NewMemory> raw,
      Map<String, Object> payload) {
    return ask(OPEN, new OpenEvent(userId, eventId, scope, model, raw, payload)).map(EventReply::event);
  }

  /**
   * The event now RUNNING for {@code runner}, or null when it was not PENDING (another run has it, or it is done).
   */
  public Future<AddEvent> claim(String eventId, String runner) {
    return ask(CLAIM, new ClaimEvent(eventId, runner)).map(EventReply::event);
  }

  /** The oldest PENDING event, now RUNNING for {@code runner}; null when there is none. */
  public Future<AddEvent> claimNext(String runner) {
    return ask(CLAIM, new ClaimEvent(null, runner)).map(EventReply::event);
  }

  /** Cluster mode: puts the extractions of nodes not seen within {@code liveWithinMs} back to PENDING. */
  public Future<Integer> releaseOrphans(long liveWithinMs) {
    return ask(RELEASE_ORPHANS, new ReleaseOrphans(liveWithinMs)).map(Released::count);
  }

  public Future<AddEvent> settle(String userId, String eventId, Scope scope, String model, List<Change> changes) {
    return ask(SETTLE, new SettleEvent(userId, eventId, scope, model, changes)).map(EventReply::event);
  }

  public Future<AddEvent> fail(String eventId, String reason) {
    return ask(FAIL, new FailEvent(eventId, reason)).map(EventReply::event);
  }

  public Future<AddEvent> get(String userId, String eventId) {
    return ask(GET, new GetEvent(userId, eventId)).map(EventReply::event);
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
