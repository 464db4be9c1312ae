package dev.engram.agent;

import dev.engram.kernel.Endpoint;
import dev.engram.llm.LlmReply;
import dev.engram.model.Agent;
import dev.engram.model.CoreMemory;
import java.util.List;

/** Requests and replies of the agent verticles. Every request names the user it acts for. */
public final class AgentProtocol {
  private AgentProtocol() {}

  // each agent verticle instance serves these on its shard: Endpoint.shard(AgentProtocol.shardOf(agentId, shards))
  public static final Endpoint<CreateAgent, AgentView> CREATE =
      Endpoint.of("agent.create", CreateAgent.class, AgentView.class);
  public static final Endpoint<GetAgent, AgentView> GET = Endpoint.of("agent.get", GetAgent.class, AgentView.class);
  public static final Endpoint<EditCoreMemory, MemoryChange> UPDATE_MEMORY =
      Endpoint.of("agent.memory.update", EditCoreMemory.class, MemoryChange.class);
  public static final Endpoint<Rename, AgentView> RENAME = Endpoint.of("agent.rename", Rename.class, AgentView.class);
  public static final Endpoint<DeleteAgent, AgentDeleted> DELETE =
      Endpoint.of("agent.delete", DeleteAgent.class, AgentDeleted.class);
  public static final Endpoint<Command, CommandResult> COMMAND =
      Endpoint.of("agent.command", Command.class, CommandResult.class);
  /** Answers once the run starts (the agent exists, is the caller's, and can run); the run then reports on its address. */
  public static final Endpoint<Step, RunAccepted> STEP = Endpoint.of("agent.step", Step.class, RunAccepted.class);

  /** The shard that owns an agent: steps and edits of one agent are always served by one instance. */
  public static int shardOf(String agentId, int shards) {
    return Math.floorMod(agentId.hashCode(), shards);
  }

  /** Where the events of one run (a send and its chained steps) are delivered, in order. */
  public static String runEvents(String runId) {
    return "agent.run." + runId + ".events";
  }

  public record CreateAgent(String userId, String agentId, String name, String preset, String persona,
      String human) {}
  public record GetAgent(String userId, String agentId) {}
  public record EditCoreMemory(String userId, String agentId, String persona, String human) {}
  public record Rename(String userId, String agentId, String name) {}
  public record DeleteAgent(String userId, String agentId) {}
  public record Command(String userId, String agentId, String command) {}
  /** A message to the agent; {@code role} is user or system. Events go to {@link #runEvents(String)}. */
  public record Step(String runId, String userId, String agentId, String role, String message) {}

  /** An agent as the API shows it: state, the system message in force, and memory sizes. */
  public record AgentView(Agent agent, String system, long recallCount, long archivalCount) {}
  public record MemoryChange(CoreMemory before, CoreMemory after) {}
  public record CommandResult(String response) {}
  public record AgentDeleted() {}
  /** The agent took a send over: from now on everything about its run goes to {@link #runEvents(String)}. */
  public record RunAccepted(String runId) {}

  /** What a run's address carries, in order: event batches, then exactly one {@link RunFinished}. */
  public sealed interface RunMessage permits RunEvents, RunFinished {}
  /** Events of a run that happened in one go (one step's, or one event-loop turn's), in order. */
  public record RunEvents(List<StepEvent> events) implements RunMessage {}
  /**
   * The last message of a run: its usage and step count, and on failure the status and detail of what ended it
   * ({@code error} null on success).
   */
  public record RunFinished(LlmReply.Usage usage, int stepCount, int errorStatus, String error)
      implements RunMessage {
    public boolean failed() {
      return error != null;
    }
  }
}
