package dev.engram.agent;

import dev.engram.llm.LlmReply;
import dev.engram.model.Agent;
import dev.engram.model.CoreMemory;
import java.util.List;

/** Requests and replies of the agent verticles. Every request names the user it acts for. */
public final class AgentProtocol {
  private AgentProtocol() {}

  public static final String CREATE = "create";
  public static final String GET = "get";
  public static final String UPDATE_MEMORY = "memory.update";
  public static final String RENAME = "rename";
  public static final String DELETE = "delete";
  public static final String COMMAND = "command";
  public static final String STEP = "step";

  public record CreateAgent(String userId, String agentId, String name, String preset, String persona,
      String human) {}
  public record GetAgent(String userId, String agentId) {}
  public record UpdateMemory(String userId, String agentId, String persona, String human) {}
  public record Rename(String userId, String agentId, String name) {}
  public record DeleteAgent(String userId, String agentId) {}
  public record Command(String userId, String agentId, String command) {}
  /** A message to the agent; {@code role} is user or system. Events go to {@code Addresses.runEvents(runId)}. */
  public record Step(String runId, String userId, String agentId, String role, String message, boolean stream) {}

  /** An agent as the API shows it: state, the system message in force, and memory sizes. */
  public record AgentView(Agent agent, String system, long recallCount, long archivalCount) {}
  public record MemoryChange(CoreMemory before, CoreMemory after) {}
  public record CommandResult(String response) {}
  public record Deleted() {}
  /** All events of a run and the summed usage; {@code stepCount} is the number of LLM steps taken. */
  public record StepResult(List<StepEvent> events, LlmReply.Usage usage, int stepCount) {}
  /**
   * The first message on a run's event address: the agent accepted the send (it exists, is the caller's, and an LLM is
   * configured) and is about to store the input. Failures after this belong to the run, not to the request.
   */
  public record RunStarted(String runId) {}
  /** Events of a run that happened in one go (one event-loop turn), in order: one bus message instead of several. */
  public record RunEvents(List<StepEvent> events) {}
  /** The last message on a run's event address: usage on success, or the failure that ended the run. */
  public record RunFinished(LlmReply.Usage usage, int stepCount, int errorStatus, String error) {}
}
