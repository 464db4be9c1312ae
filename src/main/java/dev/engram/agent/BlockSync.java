package dev.engram.agent;

import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import io.vertx.core.Future;
import java.util.List;

/**
 * Brings a thread's copy of what the agent's threads share level with the store: its blocks after another writer
 * changed one of them (the store's {@code BLOCKS_CHANGED} notice marked the runtime stale), and for a conversation the
 * agent's settings after they changed while it ran ({@link AgentRuntime#sharedUpdate}). Runs inside the thread's
 * mailbox.
 */
final class BlockSync {
  private BlockSync() {}

  /**
   * Takes the agent's new settings and reloads the blocks when they are marked stale; answers whether what the system
   * prompt shows changed (the caller then rebuilds the system message).
   */
  static Future<Boolean> reload(AgentRuntime rt, AgentDeps deps) {
    boolean instructionsChanged = takeSettings(rt);
    if (!rt.blocksStale) {
      return Future.succeededFuture(instructionsChanged);
    }
    rt.blocksStale = false;
    CoreMemory before = rt.agent.memory();
    return deps.blocks().ofAgent(rt.agent.id()).map(blocks -> {
      CoreMemory after = new CoreMemory(blocks);
      rt.agent = rt.agent.withMemory(after);
      return instructionsChanged || !SystemPrompt.coreMemory(before).equals(SystemPrompt.coreMemory(after));
    }).recover(e -> {
      rt.blocksStale = true; // try again at the next operation
      return Future.failedFuture(e);
    });
  }

  /**
   * Takes the settings of the agent's update waiting for this thread, if any; its blocks are then reloaded (some may
   * have been attached or detached). The thread keeps its model and context window until its next run (its token
   * counter is its model's). Answers whether the instructions changed.
   */
  private static boolean takeSettings(AgentRuntime rt) {
    Agent shared = rt.sharedUpdate;
    if (shared == null) {
      return false;
    }
    rt.sharedUpdate = null;
    String before = Templates.instructions(rt.agent);
    Agent.Settings s = shared.settings();
    rt.agent = rt.agent.withSettings(new Agent.Settings(s.name(), s.description(), s.metadata(), s.tags(), s.system(),
        s.tools(), rt.agent.model(), rt.agent.contextWindow(), s.embedding(), s.timezone(), s.toolRules()),
        shared.updatedAt());
    rt.blocksStale = true;
    return !before.equals(Templates.instructions(rt.agent));
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
