package dev.engram.agent;

import dev.engram.cluster.Fence;
import dev.engram.cluster.Placement;
import dev.engram.store.RunClient;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent verticle does when its node's {@link Placement} gives it a shard or takes one away (cluster mode).
 * A shard gained: the cached threads of its agents are dropped (another node may have changed them), then the runs its
 * previous owner left are settled and queued, oldest first, before any new send is served
 * ({@link dev.engram.store.RunProtocol.TakeOver}). Each accepted send runs exactly once: a run its previous owner had
 * stored no step of runs again from its stored input; a run it had stored steps of goes on from the last one (its
 * input is not written again, its stored steps do not run again, the loop goes on as that step decided, see
 * {@link StepLoop#resume}); a run whose last stored step ended it is ended as that step said. A shard lost: its cached
 * threads are dropped; a run of it still going here can no longer commit ({@link Fence}).
 */
final class ClusterSlot implements Placement.Slot {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSlot.class);

  private final Placement placement;
  private final Runtimes runtimes;
  private final RunService runs;
  private final RunClient runClient;

  ClusterSlot(Placement placement, Runtimes runtimes, RunService runs, RunClient runClient) {
    this.placement = placement;
    this.runtimes = runtimes;
    this.runs = runs;
    this.runClient = runClient;
  }

  @Override
  public Future<?> gained(int shard, long epoch) {
    runtimes.forgetAgents(agentId -> placement.shardOf(agentId) == shard);
    return runClient.takeOver(shard, placement.shards(), new Fence(shard, epoch)).onSuccess(taken -> {
      if (!taken.queued().isEmpty() || !taken.resumed().isEmpty() || !taken.ended().isEmpty()) {
        LOG.info("Shard {}: {} runs to run, {} to go on from their last stored step, {} ended (their node stopped"
            + " mid-run)", shard, taken.queued().size(), taken.resumed().size(), taken.ended().size());
      }
      runs.endedByTakeOver(taken.ended());
      runs.resume(taken.queued(), taken.resumed());
    });
  }

  @Override
  public void lost(int shard) {
    runtimes.forgetAgents(agentId -> placement.shardOf(agentId) == shard);
  }

  @Override
  public boolean drained(int shard) {
    return !runs.busy(agentId -> placement.shardOf(agentId) == shard);
  }
}
