package dev.engram.agent;

import static dev.engram.agent.AgentProtocol.*;

import dev.engram.cluster.Placement;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Endpoint;
import dev.engram.kernel.ErrorKind;
import dev.engram.observe.Trace;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Typed access to the agent verticles: each call goes to the shard that owns the agent. In cluster mode that is the
 * agent verticle, on whichever node, that holds the lease of the agent's shard ({@link Placement}); a call refused as
 * moved (the lease changed hands) or finding no one (its node is gone) is asked again, after a pause, of the owner
 * then known, until {@link #ROUTE_WAIT_MS}. Nothing refused was handled, so asking again cannot run anything twice.
 */
public final class AgentClient {
  /** The header naming the agent a call is for: the owner checks it still serves the agent's shard. */
  public static final String AGENT_HEADER = "engram-agent";
  /** How long a call waits for its agent's shard to have an owner (a takeover takes about a lease's length). */
  static final long ROUTE_WAIT_MS = 20_000;
  private static final long ROUTE_PAUSE_MS = 100;
  private static final String MOVED = "The agent is moving between cluster nodes; try again: agent_id=";
  private static final String OWNER_LOST = "The cluster node serving this agent stopped before it answered; try again";
  private static final long OWNER_CHECK_MS = 250;
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(60_000);

  private final Vertx vertx;
  private final int shards;
  private final DeliveryOptions stepOptions;
  private final long stepTimeoutMs;

  public AgentClient(Vertx vertx, int shards, long stepTimeoutMs) {
    this.vertx = vertx;
    this.shards = shards;
    this.stepOptions = new DeliveryOptions().setSendTimeout(stepTimeoutMs);
    this.stepTimeoutMs = stepTimeoutMs;
  }

  public Future<AgentView> create(CreateAgent req) {
    return ask(req.agentId(), CREATE, req, QUICK);
  }

  public Future<AgentView> get(String userId, String agentId) {
    return ask(agentId, GET, new GetAgent(userId, agentId), QUICK);
  }

  public Future<MemoryChange> updateMemory(EditCoreMemory req) {
    return ask(req.agentId(), UPDATE_MEMORY, req, QUICK);
  }

  public Future<EditedBlock> editBlock(EditBlock req) {
    return ask(req.agentId(), EDIT_BLOCK, req, QUICK);
  }

  public Future<AgentView> linkBlock(String userId, String agentId, String blockId, boolean attach) {
    return ask(agentId, LINK_BLOCK, new LinkBlock(userId, agentId, blockId, attach), QUICK);
  }

  public Future<AgentView> linkTool(String userId, String agentId, String toolName, boolean attach) {
    return ask(agentId, LINK_TOOL, new LinkTool(userId, agentId, toolName, attach), QUICK);
  }

  public Future<AgentView> rename(String userId, String agentId, String name) {
    return ask(agentId, RENAME, new Rename(userId, agentId, name), QUICK);
  }

  public Future<AgentView> update(String userId, String agentId, AgentPatch patch) {
    return ask(agentId, UPDATE, new UpdateAgent(userId, agentId, patch), QUICK);
  }

  public Future<ContextWindow> context(String userId, String agentId) {
    return ask(agentId, CONTEXT, new GetContext(userId, agentId), QUICK);
  }

  public Future<AgentView> resetMessages(String userId, String agentId, boolean addInitialMessages) {
    return ask(agentId, RESET, new ResetMessages(userId, agentId, addInitialMessages), QUICK);
  }

  public Future<AgentDeleted> delete(String userId, String agentId) {
    return ask(agentId, DELETE, new DeleteAgent(userId, agentId), QUICK);
  }

  public Future<CommandResult> command(String userId, String agentId, String command) {
    return ask(agentId, COMMAND, new Command(userId, agentId, command), stepOptions);
  }

  public Future<EditedMessage> editMessage(EditMessage req) {
    return ask(req.agentId(), EDIT_MESSAGE, req, QUICK);
  }

  /** How long a send may take, queue included, before its client is told 504. */
  public long stepTimeoutMs() {
    return stepTimeoutMs;
  }

  /**
   * Starts a send: answers when its run starts; the run's events then arrive at {@link AgentProtocol#runEvents},
   * ending with a {@link RunFinished}. Listen there before asking.
   */
  public Future<RunAccepted> step(Step req) {
    Trace.run(req.runId()); // the request's log line names the run it started
    return ask(req.agentId(), STEP, req, stepOptions);
  }

  /**
   * Cancels runs of an agent (all its queued and running ones when {@code runIds} is empty), or of one of its
   * conversations ({@code conversationId} not null).
   */
  public Future<Cancelled> cancel(String userId, String agentId, java.util.List<String> runIds,
      String conversationId) {
    return ask(agentId, CANCEL, new CancelRuns(userId, agentId, runIds, conversationId), QUICK);
  }

  public Future<ConversationView> createConversation(CreateConversation req) {
    return ask(req.agentId(), CONVERSATION_CREATE, req, QUICK);
  }

  /** Waits behind the conversation's send in progress, if any, like every operation on one thread. */
  public Future<ConversationView> updateConversation(EditConversation req) {
    return ask(req.agentId(), CONVERSATION_UPDATE, req, stepOptions);
  }

  public Future<ConversationDeleted> deleteConversation(String userId, String agentId, String conversationId) {
    return ask(agentId, CONVERSATION_DELETE, new DeleteConversation(userId, agentId, conversationId), stepOptions);
  }

  public Future<ConversationView> fork(ForkThread req) {
    return ask(req.agentId(), FORK, req, stepOptions);
  }

  /** Calls the model (the summary), after the thread's send in progress, if any. */
  public Future<Compacted> compact(String userId, String agentId, String conversationId) {
    return ask(agentId, COMPACT, new CompactThread(userId, agentId, conversationId), stepOptions);
  }

  public Future<Recompiled> recompile(String userId, String agentId, String conversationId, boolean dryRun) {
    return ask(agentId, RECOMPILE, new RecompileThread(userId, agentId, conversationId, dryRun), stepOptions);
  }

  private <Q extends Record, R extends Record> Future<R> ask(String agentId, Endpoint<Q, R> endpoint, Q request,
      DeliveryOptions options) {
    Placement placement = Placement.of(vertx);
    if (placement == null) {
      return endpoint.shard(shardOf(agentId, shards)).ask(vertx, request, options);
    }
    return routed(placement, agentId, endpoint, request, new DeliveryOptions(options).addHeader(AGENT_HEADER, agentId),
        System.nanoTime() + ROUTE_WAIT_MS * 1_000_000);
  }

  private <Q extends Record, R extends Record> Future<R> routed(Placement placement, String agentId,
      Endpoint<Q, R> endpoint, Q request, DeliveryOptions options, long deadline) {
    int shard = placement.shardOf(agentId);
    String slot = placement.route(shard);
    Future<R> asked = slot == null ? Future.failedFuture(moved(agentId))
        : watched(placement, shard, slot, endpoint.at(slot).ask(vertx, request, options));
    return asked.recover(e -> {
      boolean again = movedOrGone(e) || (endpoint == STEP && ownerLost(e));
      if (!again || System.nanoTime() > deadline) {
        return Future.failedFuture(e);
      }
      return vertx.timer(ROUTE_PAUSE_MS).compose(t -> routed(placement, agentId, endpoint, request, options, deadline));
    });
  }

  /**
   * A call to another node fails with {@link #OWNER_LOST} when the shard's lease leaves that node before the answer
   * comes: a message written to a node that was killed is not answered, and not failed either (it would wait for the
   * send timeout). A send is then asked again of the next owner: it is stored under its run id, so a send that did
   * reach the node before it stopped is found and followed there, not run twice; other calls fail (503).
   */
  private <R> Future<R> watched(Placement placement, int shard, String slot, Future<R> asked) {
    if (slot.startsWith(placement.nodeId() + "/")) {
      return asked;
    }
    Promise<R> answer = Promise.promise();
    asked.onComplete(ar -> {
      if (ar.succeeded()) {
        answer.tryComplete(ar.result());
      } else {
        answer.tryFail(ar.cause());
      }
    });
    long watch = vertx.setPeriodic(OWNER_CHECK_MS, id -> {
      if (!slot.equals(placement.route(shard))) {
        answer.tryFail(new ApiException(ErrorKind.UNAVAILABLE, OWNER_LOST));
      }
    });
    answer.future().onComplete(ar -> vertx.cancelTimer(watch));
    return answer.future();
  }

  private static boolean ownerLost(Throwable e) {
    return e instanceof ApiException api && OWNER_LOST.equals(api.getMessage());
  }

  /** The refusal of a call for an agent this verticle does not serve now. */
  static ApiException moved(String agentId) {
    return new ApiException(ErrorKind.UNAVAILABLE, MOVED + agentId);
  }

  private static boolean movedOrGone(Throwable e) {
    ApiException api = ApiException.from(e);
    String detail = api.getMessage();
    return api.status() == 503 && detail != null && (detail.startsWith(MOVED)
        || detail.startsWith(ApiException.NO_HANDLER) || detail.startsWith(ApiException.UNREACHABLE));
  }
}
