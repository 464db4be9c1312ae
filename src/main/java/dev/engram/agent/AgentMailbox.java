package dev.engram.agent;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs the operations of each agent one at a time, in the order they were submitted, while operations of different
 * agents run concurrently. Confined to one event loop: no locks.
 */
final class AgentMailbox {
  private final Map<String, Future<?>> tails = new HashMap<>();

  <T> Future<T> submit(String agentId, Supplier<Future<T>> task) {
    Future<?> tail = tails.getOrDefault(agentId, Future.succeededFuture());
    Future<T> mine = tail.transform(previous -> {
      try {
        return task.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    tails.put(agentId, mine);
    mine.onComplete(ar -> tails.remove(agentId, mine));
    return mine;
  }

  boolean idle(String agentId) {
    return !tails.containsKey(agentId);
  }
}
