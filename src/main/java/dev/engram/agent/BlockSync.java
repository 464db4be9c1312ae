package dev.engram.agent;

import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import io.vertx.core.Future;
import java.util.List;

/**
 * Brings an agent's blocks level with the store after another writer changed one of them (the store's
 * {@code BLOCKS_CHANGED} notice marked the runtime stale). Runs inside the agent's mailbox.
 */
final class BlockSync {
  private BlockSync() {}

  /**
   * Reloads the agent's blocks when they are marked stale; answers whether what the system prompt shows of them
   * changed (the caller then rebuilds the system message).
   */
  static Future<Boolean> reload(AgentRuntime rt, AgentDeps deps) {
    if (!rt.blocksStale) {
      return Future.succeededFuture(false);
    }
    rt.blocksStale = false;
    CoreMemory before = rt.agent.memory();
    return deps.blocks().ofAgent(rt.agent.id()).map(blocks -> {
      CoreMemory after = new CoreMemory(blocks);
      rt.agent = rt.agent.withMemory(after);
      return !SystemPrompt.coreMemory(before).equals(SystemPrompt.coreMemory(after));
    }).recover(e -> {
      rt.blocksStale = true; // try again at the next operation
      return Future.failedFuture(e);
    });
  }

  /** Whether a notice of these block versions makes the runtime's copy of its blocks out of date. */
  static boolean outdatedBy(AgentRuntime rt, java.util.Map<String, Long> versions) {
    List<Block> blocks = rt.agent.memory().blocks();
    for (Block b : blocks) {
      Long v = versions.get(b.id());
      if (v != null && v > b.version()) {
        return true;
      }
    }
    return false;
  }
}
