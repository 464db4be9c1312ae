package dev.engram.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The persisted state of one agent: identity and Letta's descriptive fields, core memory (its blocks), the
 * instructions of its system prompt ({@code system}, or the preset's when null), the names of its tools, the ids of
 * the messages in its context window (oldest first, the system message first) and its model settings.
 * {@code agentType} is stored as asked. An agent with send_message runs the MemGPT step loop; one without it speaks
 * in plain text ({@link #speaksInText()}).
 */
public record Agent(
    String id,
    String userId,
    String name,
    String agentType,
    String description,
    Map<String, Object> metadata,
    List<String> tags,
    String preset,
    String personaTemplate,
    String humanTemplate,
    String system,
    CoreMemory memory,
    List<String> tools,
    List<String> inContextIds,
    boolean memoryAlerted,
    String model,
    int contextWindow,
    String embedding,
    String timezone,
    Instant createdAt,
    Instant updatedAt,
    Instant lastRunAt,
    ToolRules toolRules) {

  /** Letta's agent type of the MemGPT loop, and the default of every agent here. */
  public static final String MEMGPT_AGENT = "memgpt_agent";
  /** Letta's {@code AgentType} values, all accepted and stored. */
  public static final List<String> AGENT_TYPES = List.of("memgpt_agent", "memgpt_v2_agent", "letta_v1_agent",
      "react_agent", "workflow_agent", "split_thread_agent", "sleeptime_agent", "voice_convo_agent",
      "voice_sleeptime_agent");

  /** The tool through which a MemGPT agent speaks to the user. */
  public static final String SEND_MESSAGE = "send_message";

  public Agent {
    agentType = agentType == null ? MEMGPT_AGENT : agentType;
    metadata = metadata == null ? Map.of() : metadata;
    tags = tags == null ? List.of() : List.copyOf(tags);
    tools = List.copyOf(tools);
    inContextIds = List.copyOf(inContextIds);
    toolRules = toolRules == null ? ToolRules.NONE : toolRules;
  }

  public Agent withMemory(CoreMemory newMemory) {
    return new Agent(id, userId, name, agentType, description, metadata, tags, preset, personaTemplate, humanTemplate,
        system, newMemory, tools, inContextIds, memoryAlerted, model, contextWindow, embedding, timezone, createdAt,
        updatedAt, lastRunAt, toolRules);
  }

  public Agent withName(String newName) {
    return new Agent(id, userId, newName, agentType, description, metadata, tags, preset, personaTemplate,
        humanTemplate, system, memory, tools, inContextIds, memoryAlerted, model, contextWindow, embedding, timezone,
        createdAt, updatedAt, lastRunAt, toolRules);
  }

  public Agent withContext(List<String> ids, boolean alerted, Instant lastRun) {
    return new Agent(id, userId, name, agentType, description, metadata, tags, preset, personaTemplate, humanTemplate,
        system, memory, tools, ids, alerted, model, contextWindow, embedding, timezone, createdAt, updatedAt, lastRun,
        toolRules);
  }

  /** The agent with the settings a Letta update may change, changed at {@code at}. */
  public Agent withSettings(Settings s, Instant at) {
    return new Agent(id, userId, s.name(), agentType, s.description(), s.metadata(), s.tags(), preset,
        personaTemplate, humanTemplate, s.system(), memory, s.tools(), inContextIds, memoryAlerted, s.model(),
        s.contextWindow(), s.embedding(), s.timezone(), createdAt, at, lastRunAt, s.toolRules());
  }

  public Settings settings() {
    return new Settings(name, description, metadata, tags, system, tools, model, contextWindow, embedding, timezone,
        toolRules);
  }

  /** Whether this agent speaks in plain text: see {@link #speaksInText(List)}. */
  public boolean speaksInText() {
    return speaksInText(tools);
  }

  /**
   * Whether an agent with these tools speaks in plain text, as Letta's {@code letta_v1_agent} does: without
   * send_message, the text the model writes is what the agent says to the user, and its turn ends when the model
   * answers without calling a tool.
   */
  public static boolean speaksInText(List<String> tools) {
    return !tools.contains(SEND_MESSAGE);
  }

  /** The fields of an agent that its owner may change after creation (besides memory and messages). */
  public record Settings(String name, String description, Map<String, Object> metadata, List<String> tags,
      String system, List<String> tools, String model, int contextWindow, String embedding, String timezone,
      ToolRules toolRules) {}
}
