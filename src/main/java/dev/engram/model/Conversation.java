package dev.engram.model;

import java.time.Instant;
import java.util.List;

/**
 * A thread of an agent (Letta's conversation): its own messages ({@code inContextIds} its context window, oldest
 * first, the system message first; {@code recallCount} all of them) on the agent's blocks, tools and archival memory.
 * {@code model} and {@code contextWindow} override the agent's when set. {@code summary} and {@code description} are
 * the client's words about it; a {@code hidden} one is left out of listings, an archived one unless asked for.
 */
public record Conversation(String id, String agentId, String userId, String summary, String description,
    String model, Integer contextWindow, boolean hidden, Instant archivedAt, List<String> inContextIds,
    boolean memoryAlerted, long recallCount, Instant createdAt, Instant updatedAt, Instant lastMessageAt) {

  public Conversation {
    inContextIds = List.copyOf(inContextIds);
  }

  public boolean archived() {
    return archivedAt != null;
  }

  /** The agent as this thread runs it: the agent's settings with this thread's overrides, and its context. */
  public Agent applyTo(Agent agent) {
    Agent.Settings s = agent.settings();
    Agent overridden = model == null && contextWindow == null ? agent
        : agent.withSettings(new Agent.Settings(s.name(), s.description(), s.metadata(), s.tags(), s.system(),
            s.tools(), model != null ? model : s.model(), contextWindow != null ? contextWindow : s.contextWindow(),
            s.embedding(), s.timezone(), s.toolRules()), agent.updatedAt());
    return overridden.withContext(inContextIds, memoryAlerted, lastMessageAt);
  }
}
