package dev.engram.store;

import dev.engram.cluster.Fence;
import dev.engram.kernel.Endpoint;
import dev.engram.model.Run;
import dev.engram.model.RunProgress;
import dev.engram.model.StepEvent;
import java.util.List;

/**
 * Requests and replies of the persistence verticle for runs. A run's events and its end are written with the agent's
 * steps ({@link StoreProtocol.SaveAgent}); these are the runs' own writes (queued runs) and their reads.
 */
public final class RunProtocol {
  private RunProtocol() {}

  public static final Endpoint<ClaimRun, Claimed> CLAIM = Endpoint.of("store.run.claim", ClaimRun.class,
      Claimed.class);
  public static final Endpoint<StartRun, Changed> START = Endpoint.of("store.run.start", StartRun.class,
      Changed.class);
  public static final Endpoint<CancelQueued, Changed> CANCEL_QUEUED = Endpoint.of("store.run.cancel-queued",
      CancelQueued.class, Changed.class);
  public static final Endpoint<FailRun, Changed> FAIL = Endpoint.of("store.run.fail", FailRun.class, Changed.class);
  public static final Endpoint<GetRun, RunFound> GET = Endpoint.of("store.run.get", GetRun.class, RunFound.class);
  public static final Endpoint<ListRuns, RunList> LIST = Endpoint.of("store.run.list", ListRuns.class,
      RunList.class);
  public static final Endpoint<ReadEvents, StoredEvents> EVENTS = Endpoint.of("store.run.events", ReadEvents.class,
      StoredEvents.class);
  public static final Endpoint<TakeOver, TakenOver> TAKE_OVER = Endpoint.of("store.run.take-over", TakeOver.class,
      TakenOver.class);
  public static final Endpoint<QueuedRuns, RunList> QUEUED = Endpoint.of("store.run.queued", QueuedRuns.class,
      RunList.class);

  /**
   * Stores a run before it starts (status created), unless the agent already has a run with the same idempotency
   * key: then that run is answered, {@code existing} true, and nothing is stored. 404 when the agent is not the
   * user's.
   */
  public record ClaimRun(Run run) {}
  public record Claimed(Run run, boolean existing) {}
  /** created -> running; {@code changed} false when the run was cancelled (or started) meanwhile. */
  public record StartRun(String runId, Fence fence) {}
  /** created -> cancelled; {@code changed} false when it had started or ended. */
  public record CancelQueued(String runId) {}
  public record Changed(boolean changed) {}
  /** Ends a stored run that could not run (created or running -> failed) with what its client would have got. */
  public record FailRun(String runId, int errorStatus, String error) {}
  /** A user's run; 404 when unknown or another user's. */
  public record GetRun(String userId, String runId) {}
  public record RunFound(Run run) {}
  /**
   * A page of a user's runs by id (creation order): those after {@code lower} and before {@code upper} (exclusive,
   * either null), the {@code limit} nearest to {@code lower} when {@code fromLower}, else nearest to {@code upper};
   * filters are skipped when null ({@code conversationId}: the runs of one conversation; {@code idempotencyKey}: the
   * run a send with that key started).
   */
  public record ListRuns(String userId, String agentId, List<String> statuses, Boolean background, String stopReason,
      String lower, String upper, boolean fromLower, int limit, String conversationId, String idempotencyKey) {}
  public record RunList(List<Run> runs) {}
  /** A user's run with its events after {@code afterSeq}, read in one snapshot (see RunRepository#events). */
  public record ReadEvents(String userId, String runId, int afterSeq) {}
  public record StoredEvents(Run run, List<StepEvent> events) {}
  /** Every run still waiting to start (status created), oldest first: what a restart must run. */
  public record QueuedRuns() {}
  /**
   * Cluster mode: a node took over {@code shard} (of {@code shards}) under {@code fence}. The runs of its agents that
   * the previous owner had started are settled (its old owner can no longer commit anything): one with no step stored
   * goes back to created (it runs again from its stored input); one whose last stored step went on is answered as
   * {@link Resumable} (it stays running, and goes on from that step); one whose last stored step ended it is ended as
   * that step said; one stored before its steps said where they left it (before V019) fails. Answers the runs to start,
   * the runs to go on with, each oldest first, and the rows of those ended.
   */
  public record TakeOver(int shard, int shards, Fence fence) {}
  public record TakenOver(List<Run> queued, List<Resumable> resumed, List<Run> ended) {}
  /**
   * A run to go on with from its last stored step: where that step left it, the seq of its last stored event (the
   * continuation's events follow it) and the message that event is of (the context ends there: what a step that was
   * not stored may have written after it is not the model's to see).
   */
  public record Resumable(Run run, RunProgress progress, int lastSeq, String lastMessageId) {}
}
