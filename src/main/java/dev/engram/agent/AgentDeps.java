package dev.engram.agent;

import dev.engram.cluster.Fence;
import dev.engram.llm.LlmClient;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.agent.tool.Toolsets;
import dev.engram.kernel.ApiException;
import dev.engram.model.Agent;
import dev.engram.model.Message;
import dev.engram.observe.EngramMetrics;
import dev.engram.store.BlockClient;
import dev.engram.store.ConversationClient;
import dev.engram.store.StoreClient;
import dev.engram.store.StoreProtocol.RunWrite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the step loop works with: storage (agents and messages, conversations, blocks), archival memory, the model, the
 * tools (the built-in ones, and {@code toolsets} resolving an agent's tools to the user's own and MCP ones too),
 * the loop's settings, and the meters it records into.
 */
record AgentDeps(Vertx vertx, StoreClient store, ConversationClient conversations, BlockClient blocks,
    ArchivalMemory archival, LlmClient llm,
    Summarizer summarizer, ToolRegistry tools, Toolsets toolsets,
    int maxChainingSteps, int coreMemoryLimit, String model, int contextWindow, ZoneId zone,
    long inputWriteDelayMs, EngramMetrics metrics, Map<List<String>, Integer> toolTokenCache,
    Function<String, Fence> fences) {

  private static final long[] SAVE_BACKOFF_MS = {100, 500, 2000, 5000};

  AgentDeps {
    toolTokenCache = toolTokenCache == null ? new HashMap<>() : toolTokenCache;
    fences = fences == null ? agentId -> Fence.NONE : fences;
  }

  /** The lease an agent's writes are made under (cluster mode), or {@link Fence#NONE}. */
  Fence fence(String agentId) {
    return fences.apply(agentId);
  }

  int toolTokens(List<String> names, TokenCounter counter) {
    return toolTokenCache.computeIfAbsent(names, n -> counter.tools(tools.schemas(n)));
  }

  /**
   * Saves the state of an agent's thread (its own, or conversation {@code conversationId}) with its new messages,
   * retrying transient failures (a database restart) so that nothing accepted is lost; message and event inserts are
   * idempotent, so a retry after a lost reply does no harm. Callers go through {@link AgentRuntime#save}, which knows
   * how much of the context is stored already.
   */
  Future<Void> saveWithRetry(Agent agent, List<Message> messages, int storedContext, RunWrite run,
      String conversationId, Fence fence) {
    return save(agent, messages, storedContext, run, conversationId, fence, 0);
  }

  private Future<Void> save(Agent agent, List<Message> messages, int storedContext, RunWrite run,
      String conversationId, Fence fence, int attempt) {
    return store.saveAgent(agent, messages, storedContext, run, conversationId, fence).<Void>mapEmpty()
        .recover(e -> {
          ApiException api = ApiException.from(e);
          if (api.status() < 500 || attempt >= SAVE_BACKOFF_MS.length) {
            return Future.failedFuture(e);
          }
          return vertx.timer(SAVE_BACKOFF_MS[attempt])
              .compose(t -> save(agent, messages, storedContext, run, conversationId, fence, attempt + 1));
        });
  }
}
