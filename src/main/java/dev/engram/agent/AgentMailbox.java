package dev.engram.agent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs the operations of each agent one at a time, in the order they were submitted, while operations of different
 * agents run concurrently. Confined to one event loop: no locks.
 */
final class AgentMailbox {
  private final Map<String, Future<?>> tails = new HashMap<>();
  /** Operations submitted and not finished, over all agents (a gauge reads it from another thread). */
  private volatile int depth;

  /**
   * Runs {@code task} after the agent's previous operations. A task that had to wait runs on the context it was
   * submitted from (not on the one of the operation before it), so that it stays traced as the request that sent it.
   */
  <T> Future<T> submit(String agentId, Supplier<Future<T>> task) {
    Future<?> tail = tails.get(agentId);
    Future<T> mine;
    if (tail == null) {
      mine = run(task);
    } else {
      Context submitter = Vertx.currentContext();
      mine = tail.transform(previous -> submitter == null || submitter == Vertx.currentContext() ? run(task)
          : runOn(submitter, task));
    }
    tails.put(agentId, mine);
    depth++; // only ever changed on this shard's event loop
    mine.onComplete(ar -> {
      depth--;
      tails.remove(agentId, mine);
    });
    return mine;
  }

  private static <T> Future<T> run(Supplier<Future<T>> task) {
    try {
      return task.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static <T> Future<T> runOn(Context context, Supplier<Future<T>> task) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> run(task).onComplete(done));
    return done.future();
  }

  /** Operations queued or running. */
  int depth() {
    return depth;
  }

  boolean idle(String agentId) {
    return !tails.containsKey(agentId);
  }
}
