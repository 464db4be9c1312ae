package dev.engram.model;

import java.time.Instant;
import java.util.List;

/**
 * The persisted state of one agent: identity, core memory, the system prompt in force, the ids of the messages in its
 * context window (oldest first, the system message first) and its model settings.
 */
public record Agent(
    String id,
    String userId,
    String name,
    String preset,
    String personaTemplate,
    String humanTemplate,
    CoreMemory memory,
    List<String> tools,
    List<String> inContextIds,
    boolean memoryAlerted,
    String model,
    int contextWindow,
    Instant createdAt,
    Instant lastRunAt) {

  public Agent {
    tools = List.copyOf(tools);
    inContextIds = List.copyOf(inContextIds);
  }

  public Agent withMemory(CoreMemory newMemory) {
    return new Agent(id, userId, name, preset, personaTemplate, humanTemplate, newMemory, tools, inContextIds,
        memoryAlerted, model, contextWindow, createdAt, lastRunAt);
  }

  public Agent withName(String newName) {
    return new Agent(id, userId, newName, preset, personaTemplate, humanTemplate, memory, tools, inContextIds,
        memoryAlerted, model, contextWindow, createdAt, lastRunAt);
  }

  public Agent withContext(List<String> ids, boolean alerted, Instant lastRun) {
    return new Agent(id, userId, name, preset, personaTemplate, humanTemplate, memory, tools, ids, alerted, model,
        contextWindow, createdAt, lastRun);
  }
}
