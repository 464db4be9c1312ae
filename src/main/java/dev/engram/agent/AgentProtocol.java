package dev.engram.agent;

import dev.engram.kernel.Endpoint;
import dev.engram.llm.LlmReply;
import dev.engram.model.Agent;
import dev.engram.model.CoreMemory;
import dev.engram.model.Run;
import dev.engram.model.RunRequest;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import java.util.List;
import java.util.Map;

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
  /**
   * Answers once the run starts (the agent exists, is the caller's, and can run), or for a run stored first (async, or
   * with an idempotency key) once it is stored; the run then reports on its address.
   */
  public static final Endpoint<Step, RunAccepted> STEP = Endpoint.of("agent.step", Step.class, RunAccepted.class);
  /** Cancels an agent's runs (all its queued and running ones when none are named). */
  public static final Endpoint<CancelRuns, Cancelled> CANCEL =
      Endpoint.of("agent.cancel", CancelRuns.class, Cancelled.class);

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
  /**
   * A send: its run's id (time-ordered, as run lists page by id) and the messages with their options. Events go to
   * {@link #runEvents(String)}. A send with an {@code idempotencyKey} runs at most once per agent: a repeat is
   * answered with the first run ({@link RunAccepted#existing()}). An {@code async} send is answered as soon as its run
   * is stored, before it starts. Both kinds are stored before they start, so that a restart runs them.
   */
  public record Step(String runId, String userId, String agentId, RunRequest request, String idempotencyKey,
      boolean async) {
    /** A plain send of one message ({@code role} user or system), as /api makes them. */
    public Step(String runId, String userId, String agentId, String role, String message) {
      this(runId, userId, agentId, RunRequest.of(role, message), null, false);
    }

    public boolean storedFirst() {
      return async || idempotencyKey != null;
    }
  }
  /** Cancels {@code runIds} of the agent, or every queued and running run of it when empty. */
  public record CancelRuns(String userId, String agentId, List<String> runIds) {}
  /** For each run: {@code cancelled}, {@code not_found}, or the status it had already ended with. */
  public record Cancelled(Map<String, String> results) {}

  /** An agent as the API shows it: state, the system message in force, and memory sizes. */
  public record AgentView(Agent agent, String system, long recallCount, long archivalCount) {}
  public record MemoryChange(CoreMemory before, CoreMemory after) {}
  public record CommandResult(String response) {}
  public record AgentDeleted() {}
  /**
   * The agent took a send over: from now on everything about {@code run} goes to its {@link #runEvents(String)}.
   * {@code existing}: the send repeated an idempotency key, nothing new runs, and {@code run} is the first one (follow
   * it from its stored events).
   */
  public record RunAccepted(Run run, boolean existing) {
    public String runId() {
      return run.id();
    }
  }

  /**
   * What a run's address carries (published: every follower gets it), in order: token fragments and event batches,
   * then exactly one {@link RunFinished}. Events go out only once stored; fragments before.
   */
  public sealed interface RunMessage permits RunDeltas, RunEvents, RunFinished {}
  /** Fragments of the step in progress, as the model streams them (token mode only). */
  public record RunDeltas(List<StepDelta> deltas) implements RunMessage {}
  /** Events of a run that happened in one go (one step's, or one event-loop turn's), in order. */
  public record RunEvents(List<StepEvent> events) implements RunMessage {}
  /**
   * The last message of a run, sent once its end is stored: usage and step count; its status and Letta stop reason;
   * {@code lastSeq}, the seq of its last event; on failure the status and detail of what ended it ({@code error} null
   * otherwise).
   */
  public record RunFinished(LlmReply.Usage usage, int stepCount, int errorStatus, String error, String status,
      String stopReason, int lastSeq) implements RunMessage {
    public boolean failed() {
      return error != null;
    }

    /** The end of a stored run that has ended. */
    public static RunFinished of(Run run) {
      LlmReply.Usage usage = new LlmReply.Usage(orZero(run.promptTokens()), orZero(run.completionTokens()),
          orZero(run.totalTokens()));
      return new RunFinished(usage, orZero(run.stepCount()), run.failed() ? orZero(run.errorStatus()) : 0,
          run.failed() ? (run.error() == null ? "The run failed" : run.error()) : null, run.status(),
          run.stopReason(), orZero(run.eventCount()));
    }

    private static int orZero(Integer n) {
      return n == null ? 0 : n;
    }
  }
}
