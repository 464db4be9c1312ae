package dev.engram.memory;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.memory.MemoryRequests.AddEventDone;
import dev.engram.memory.MemoryRequests.AddMemories;
import dev.engram.model.AddEvent;
import dev.engram.store.AddEventClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mem0's asynchronous add (async_mode). Phase one, before the answer: the raw messages are embedded and stored as
 * memories together with a PENDING event (one transaction), so they are searchable when the caller gets the event's
 * id. Phase two, in the background: the event is claimed (PENDING to RUNNING, so that it runs once), the facts are
 * extracted and decided as a synchronous add would ({@link MemoryInference#changes}), and the event is settled: the
 * raw messages are replaced by the decided changes in one transaction. A failure (the model, a memory gone) ends it
 * FAILED with the reason and leaves the raw messages. Either way the outcome is published ({@code ADD_EVENT_DONE})
 * and sent to the user's webhooks. At most {@code workers} extractions run at once here; the others wait in
 * PostgreSQL, where the periodic sweep and the next start find them. Each claim names its runner: in cluster mode the
 * sweep first puts back to PENDING the extractions of nodes that died mid-run ({@link Cluster}), so that a live node
 * runs them.
 */
final class AsyncAdds {
  private static final Logger LOG = LoggerFactory.getLogger(AsyncAdds.class);
  /** How often an idle instance looks for PENDING events that nobody here queued (resumed, or queued elsewhere). */
  static final long SWEEP_MS = 5_000;

  private final Vertx vertx;
  private final MemoryInference inference;
  private final AddEventClient events;
  private final WebhookSender webhooks;
  private final String embeddingModel;
  private final int workers;
  private final String runner;
  private final Cluster cluster;
  private final Queue<String> queued = new ArrayDeque<>();
  private int running;
  private boolean sweeping;
  /** Set when the verticle stops: what fails from then on (the model's connection closing) is not the add's fault. */
  private volatile boolean stopping;

  /**
   * Cluster mode: whether this node may take work (its leases are current) and how recently a node must have been
   * seen to count as alive.
   */
  record Cluster(BooleanSupplier serving, long liveWithinMs) {}

  /** {@code runner} names this process's claims; {@code cluster} is null outside cluster mode. */
  AsyncAdds(Vertx vertx, MemoryInference inference, AddEventClient events, WebhookSender webhooks,
      String embeddingModel, int workers, String runner, Cluster cluster) {
    this.vertx = vertx;
    this.inference = inference;
    this.events = events;
    this.webhooks = webhooks;
    this.embeddingModel = embeddingModel;
    this.workers = workers;
    this.runner = runner;
    this.cluster = cluster;
  }

  /** Phase one: stores the raw messages with a PENDING event, queues the extraction and answers the event. */
  Future<AddEvent> accept(AddMemories req) {
    String eventId = UUID.randomUUID().toString();
    return inference.asWritten(req)
        .compose(raw -> events.open(req.userId(), eventId, req.scope(), embeddingModel, raw, AddPayload.of(req)))
        .onSuccess(event -> {
          queued.add(event.id());
          drain();
        });
  }

  /** Starts the periodic sweep; the first one runs now (events that a stopped process left are resumed). */
  void start() {
    sweep();
    vertx.setPeriodic(SWEEP_MS, t -> sweep());
  }

  /**
   * From now on an extraction that fails is left RUNNING, not FAILED: the next start puts it back to PENDING and
   * runs it again (a stop is not the add's failure).
   */
  void stop() {
    stopping = true;
  }

  /** Runs queued events while there is room. */
  private void drain() {
    while (!stopping && running < workers && !queued.isEmpty()) {
      String id = queued.poll();
      running++;
      events.claim(id, runner).compose(e -> e == null ? Future.succeededFuture() : run(e))
          .onComplete(ar -> finished(ar.cause()));
    }
  }

  /** Claims the oldest PENDING events while there is room, and nothing is queued here. */
  private void sweep() {
    if (stopping || sweeping || running >= workers || !queued.isEmpty()) {
      return;
    }
    sweeping = true;
    running++;
    releaseOrphans().compose(v -> events.claimNext(runner)).onComplete(ar -> {
      sweeping = false;
      if (ar.failed() || ar.result() == null) {
        finished(ar.failed() ? ar.cause() : null);
        return;
      }
      run(ar.result()).onComplete(done -> finished(done.cause()));
      sweep(); // there may be more
    });
  }

  /** Cluster mode, while this node serves: the extractions of dead nodes go back to PENDING (for any live node). */
  private Future<Void> releaseOrphans() {
    if (cluster == null || !cluster.serving().getAsBoolean()) {
      return Future.succeededFuture();
    }
    return events.releaseOrphans(cluster.liveWithinMs()).onSuccess(count -> {
      if (count > 0) {
        LOG.info("Put back {} asynchronous adds whose node stopped mid-extraction", count);
      }
    }).<Void>mapEmpty().recover(e -> {
      LOG.warn("Could not release the extractions of stopped nodes: {}", e.getMessage());
      return Future.succeededFuture();
    });
  }

  private void finished(Throwable failure) {
    if (failure != null) {
      LOG.warn("an asynchronous add could not be run", failure);
    }
    running--;
    drain();
  }

  /** Phase two: extracts, decides and settles (or fails) a claimed event, then tells whoever listens. */
  private Future<Void> run(AddEvent claimed) {
    AddMemories req;
    try {
      req = AddPayload.request(claimed);
    } catch (RuntimeException e) {
      return end(events.fail(claimed.id(), "The stored add could not be read: " + e.getMessage()));
    }
    Future<AddEvent> settled = inference.changes(req)
        .compose(changes -> events.settle(req.userId(), claimed.id(), req.scope(), embeddingModel, changes))
        .recover(e -> {
          ApiException failure = ApiException.from(e);
          if (failure.kind() == ErrorKind.CONFLICT || stopping) {
            return Future.failedFuture(e); // settled already, or the server is stopping: not ours to fail
          }
          return events.fail(claimed.id(), failure.getMessage());
        });
    return end(settled);
  }

  private Future<Void> end(Future<AddEvent> outcome) {
    return outcome.map(event -> {
      MemoryRequests.ADD_EVENT_DONE.publish(vertx, new AddEventDone(event));
      webhooks.send(event); // its retries do not hold a worker
      return null;
    });
  }
}
