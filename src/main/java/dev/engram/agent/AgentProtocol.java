package dev.engram.agent;

import dev.engram.kernel.Endpoint;
import dev.engram.llm.LlmReply;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.Conversation;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.ToolRule;
import dev.engram.model.Run;
import dev.engram.model.RunRequest;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import dev.engram.model.ToolCall;
import dev.engram.store.BlockProtocol.BlockPatch;
import dev.engram.store.ConversationProtocol.ConversationPatch;
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
  public static final Endpoint<EditBlock, EditedBlock> EDIT_BLOCK =
      Endpoint.of("agent.block.edit", EditBlock.class, EditedBlock.class);
  public static final Endpoint<LinkBlock, AgentView> LINK_BLOCK =
      Endpoint.of("agent.block.link", LinkBlock.class, AgentView.class);
  public static final Endpoint<LinkTool, AgentView> LINK_TOOL =
      Endpoint.of("agent.tool.link", LinkTool.class, AgentView.class);
  public static final Endpoint<Rename, AgentView> RENAME = Endpoint.of("agent.rename", Rename.class, AgentView.class);
  public static final Endpoint<UpdateAgent, AgentView> UPDATE =
      Endpoint.of("agent.update", UpdateAgent.class, AgentView.class);
  public static final Endpoint<GetContext, ContextWindow> CONTEXT =
      Endpoint.of("agent.context", GetContext.class, ContextWindow.class);
  public static final Endpoint<ResetMessages, AgentView> RESET =
      Endpoint.of("agent.reset", ResetMessages.class, AgentView.class);
  public static final Endpoint<DeleteAgent, AgentDeleted> DELETE =
      Endpoint.of("agent.delete", DeleteAgent.class, AgentDeleted.class);
  public static final Endpoint<Command, CommandResult> COMMAND =
      Endpoint.of("agent.command", Command.class, CommandResult.class);
  public static final Endpoint<EditMessage, EditedMessage> EDIT_MESSAGE =
      Endpoint.of("agent.message.edit", EditMessage.class, EditedMessage.class);
  /**
   * Answers once the run starts (the agent exists, is the caller's, and can run), or for a run stored first (async, or
   * with an idempotency key) once it is stored; the run then reports on its address.
   */
  public static final Endpoint<Step, RunAccepted> STEP = Endpoint.of("agent.step", Step.class, RunAccepted.class);
  /** Cancels an agent's runs (all its queued and running ones when none are named). */
  public static final Endpoint<CancelRuns, Cancelled> CANCEL =
      Endpoint.of("agent.cancel", CancelRuns.class, Cancelled.class);
  public static final Endpoint<CreateConversation, ConversationView> CONVERSATION_CREATE =
      Endpoint.of("agent.conversation.create", CreateConversation.class, ConversationView.class);
  public static final Endpoint<EditConversation, ConversationView> CONVERSATION_UPDATE =
      Endpoint.of("agent.conversation.update", EditConversation.class, ConversationView.class);
  public static final Endpoint<DeleteConversation, ConversationDeleted> CONVERSATION_DELETE =
      Endpoint.of("agent.conversation.delete", DeleteConversation.class, ConversationDeleted.class);
  public static final Endpoint<ForkThread, ConversationView> FORK =
      Endpoint.of("agent.thread.fork", ForkThread.class, ConversationView.class);
  public static final Endpoint<CompactThread, Compacted> COMPACT =
      Endpoint.of("agent.thread.compact", CompactThread.class, Compacted.class);
  public static final Endpoint<RecompileThread, Recompiled> RECOMPILE =
      Endpoint.of("agent.thread.recompile", RecompileThread.class, Recompiled.class);

  /** The shard that owns an agent: steps and edits of one agent are always served by one instance. */
  public static int shardOf(String agentId, int shards) {
    return Math.floorMod(agentId.hashCode(), shards);
  }

  /** Where the events of one run (a send and its chained steps) are delivered, in order. */
  public static String runEvents(String runId) {
    return "agent.run." + runId + ".events";
  }

  /** An address as the event-bus meters report it: every run's event address as one, any other as itself. */
  public static String meteredAddress(String address) {
    return address.startsWith("agent.run.") && address.endsWith(".events") ? "agent.run.events" : address;
  }

  public record CreateAgent(String userId, String agentId, NewAgent spec) {}

  /**
   * What a new agent is made of; null fields take their defaults. The MemGPT /api names a {@code preset} and the
   * {@code persona} and {@code human} (template names or texts) and leaves {@code blocks} and {@code tools} null;
   * Letta's /v1 gives its {@code blocks} (new, ids assigned), existing {@code blockIds} to attach, and the final list
   * of {@code tools}. An imported agent also brings its {@code messages} (ids assigned, oldest first) and which of
   * them are in context.
   */
  public record NewAgent(String name, String agentType, String preset, String persona, String human, String system,
      List<Block> blocks, List<String> blockIds, List<String> tools, List<String> tags, String description,
      Map<String, Object> metadata, String model, Integer contextWindow, String embedding, String timezone,
      List<Message> messages, List<String> inContextIds, List<ToolRule> toolRules) {

    /** An agent of the MemGPT /api: a preset with a persona and a human. */
    public static NewAgent memgpt(String name, String preset, String persona, String human) {
      return new NewAgent(name, null, preset, persona, human, null, null, null, null, null, null, null, null, null,
          null, null, null, null, null);
    }
  }

  public record GetAgent(String userId, String agentId) {}
  /** New values of blocks named by label (the /api's persona and human, the 0.4 client's any label). */
  public record EditCoreMemory(String userId, String agentId, Map<String, String> values) {}
  /** A change of the agent's block labelled {@code label} (Letta's core-memory PATCH). */
  public record EditBlock(String userId, String agentId, String label, BlockPatch patch) {}
  /** Attaches ({@code attach}) or detaches one of the user's blocks. */
  public record LinkBlock(String userId, String agentId, String blockId, boolean attach) {}
  /** Attaches or detaches a tool by name. */
  public record LinkTool(String userId, String agentId, String toolName, boolean attach) {}
  public record Rename(String userId, String agentId, String name) {}
  /** A Letta update: the non-null fields change; {@code toolNames} and {@code blockIds} replace the lists. */
  public record UpdateAgent(String userId, String agentId, AgentPatch patch) {}
  public record AgentPatch(String name, String system, String description, Map<String, Object> metadata,
      List<String> tags, String model, Integer contextWindow, String embedding, String timezone,
      List<String> toolNames, List<String> blockIds, List<ToolRule> toolRules, Approval approval) {}
  /** Approval of calls to {@code tool} switched on or off on one agent (PATCH .../tools/approval/{tool_name}). */
  public record Approval(String tool, boolean required) {}
  public record GetContext(String userId, String agentId) {}
  /** Empties the context window but for a new system message (and the boot messages when asked); recall stays. */
  public record ResetMessages(String userId, String agentId, boolean addInitialMessages) {}
  public record DeleteAgent(String userId, String agentId) {}
  public record Command(String userId, String agentId, String command) {}
  /** A change of one of the agent's stored messages (the MemGPT 0.4 client's update_message). */
  public record EditMessage(String userId, String agentId, String messageId, MessagePatch patch) {}
  /**
   * The new text and name of a message (null: unchanged). Its role, tool calls and tool_call_id may be given as they
   * are (the 0.4 client sends the whole message back), not changed.
   */
  public record MessagePatch(String role, String text, String name, List<ToolCall> toolCalls, String toolCallId) {}
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

    /** The conversation the send goes to; null for the agent's own thread. */
    public String conversationId() {
      return request.conversationId();
    }
  }
  /**
   * Cancels {@code runIds} of the agent, or every queued and running run of it when empty; with a
   * {@code conversationId}, only that conversation's (404 when it is not the agent's).
   */
  public record CancelRuns(String userId, String agentId, List<String> runIds, String conversationId) {
    public CancelRuns(String userId, String agentId, List<String> runIds) {
      this(userId, agentId, runIds, null);
    }
  }
  /** For each run: {@code cancelled}, {@code not_found}, or the status it had already ended with. */
  public record Cancelled(Map<String, String> results) {}

  /** An agent as the API shows it: state, the system message in force, memory sizes, and its context window. */
  public record AgentView(Agent agent, String system, long recallCount, long archivalCount, List<Message> inContext) {}
  public record MemoryChange(CoreMemory before, CoreMemory after) {}
  public record EditedBlock(Block block) {}
  /**
   * How the context window is spent, in tokens, as Letta's ContextWindowOverview shows it: the instructions, the
   * memory section's head (the external memory summary), core memory, the tool schemas and the messages.
   */
  public record ContextWindow(int maxTokens, int currentTokens, long archivalCount, long recallCount,
      String instructions, int instructionTokens, String externalSummary, int externalSummaryTokens,
      String coreMemory, int coreMemoryTokens, List<String> tools, int toolTokens, List<Message> messages,
      int messageTokens) {}
  public record CommandResult(String response) {}
  public record EditedMessage(Message message) {}
  public record AgentDeleted() {}

  // conversations: threads of an agent. Operations on a thread name it by agent and conversation (null: the agent's
  // own thread, where an operation allows it)
  /** What a new conversation is made of; null fields take the agent's (model, context window) or stay empty. */
  public record NewConversation(String summary, String description, String model, Integer contextWindow,
      boolean hidden) {}
  /** Starts a conversation of the agent: its context is a new system message; 404 if the agent is not the user's. */
  public record CreateConversation(String userId, String agentId, String conversationId, NewConversation spec) {}
  public record EditConversation(String userId, String agentId, String conversationId, ConversationPatch patch) {}
  /** Deletes a conversation with its messages and runs; its queued and running runs are cancelled first. */
  public record DeleteConversation(String userId, String agentId, String conversationId) {}
  public record ConversationView(Conversation conversation) {}
  public record ConversationDeleted() {}
  /**
   * A new conversation ({@code newConversationId}) whose context is a copy of a thread's (up to and including message
   * {@code upTo} when set, which must be in it), after a new system message.
   */
  public record ForkThread(String userId, String agentId, String conversationId, String newConversationId,
      String upTo, boolean hidden) {}
  /** Summarises the thread's older messages now, as a full context would; 400 when there is too little to. */
  public record CompactThread(String userId, String agentId, String conversationId) {}
  /** The model's summary, and the messages in context before and after. */
  public record Compacted(String summary, int messagesBefore, int messagesAfter) {}
  /** Compiles the thread's system message anew (written unless {@code dryRun}); answers its text. */
  public record RecompileThread(String userId, String agentId, String conversationId, boolean dryRun) {}
  public record Recompiled(String system) {}
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
