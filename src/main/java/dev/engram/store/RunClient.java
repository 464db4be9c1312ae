package dev.engram.store;

import dev.engram.cluster.Fence;
import static dev.engram.store.RunProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.Run;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/** Typed access to the runs of the persistence verticle. */
public final class RunClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;

  public RunClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<Claimed> claim(Run run) {
    return ask(CLAIM, new ClaimRun(run));
  }

  /** created -> running, only while {@code fence} is current. */
  public Future<Boolean> start(String runId, Fence fence) {
    return ask(START, new StartRun(runId, fence)).map(Changed::changed);
  }

  /** Settles the runs of a shard this node took over; see {@link TakeOver}. */
  public Future<TakenOver> takeOver(int shard, int shards, Fence fence) {
    return ask(TAKE_OVER, new TakeOver(shard, shards, fence));
  }

  public Future<Boolean> cancelQueued(String runId) {
    return ask(CANCEL_QUEUED, new CancelQueued(runId)).map(Changed::changed);
  }

  public Future<Void> fail(String runId, int errorStatus, String error) {
    return ask(FAIL, new FailRun(runId, errorStatus, error)).mapEmpty();
  }

  public Future<Run> get(String userId, String runId) {
    return ask(GET, new GetRun(userId, runId)).map(RunFound::run);
  }

  public Future<List<Run>> list(ListRuns query) {
    return ask(LIST, query).map(RunList::runs);
  }

  public Future<StoredEvents> events(String userId, String runId, int afterSeq) {
    return ask(EVENTS, new ReadEvents(userId, runId, afterSeq));
  }

  public Future<List<Run>> queued() {
    return ask(QUEUED, new QueuedRuns()).map(RunList::runs);
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
