package dev.engram.agent;

import static dev.engram.agent.AgentProtocol.*;

import dev.engram.cluster.Placement;
import dev.engram.kernel.Endpoint;
import dev.engram.llm.LlmClient;
import dev.engram.llm.LlmSettings;
import dev.engram.llm.MeteredLlm;
import dev.engram.llm.OpenAiClient;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.agent.tool.Toolsets;
import dev.engram.mcp.McpService;
import dev.engram.mcp.McpSettings;
import dev.engram.sandbox.SandboxClient;
import dev.engram.store.McpServerClient;
import dev.engram.store.ToolClient;
import dev.engram.config.EngramConfig;
import dev.engram.embed.Chunker;
import dev.engram.embed.EmbedClient;
import dev.engram.embed.EmbeddingSettings;
import dev.engram.observe.EngramMetrics;
import dev.engram.store.ArchivalClient;
import dev.engram.store.MemoryClient;
import dev.engram.store.ArchivalProtocol;
import dev.engram.store.BlockClient;
import dev.engram.store.BlockProtocol;
import dev.engram.store.ConversationClient;
import dev.engram.store.StoreProtocol;
import dev.engram.store.StoreClient;
import dev.engram.store.RunClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Function;

/**
 * One agent verticle instance serves one shard: the agents whose id hashes to it (in cluster mode: the shards whose
 * leases its node took for it, see {@link Placement}, on an address of its own that every node reaches). Wires the
 * step loop's collaborators and binds the shard's addresses; the logic is in {@link AgentService} (agents),
 * {@link RunService} (sends), {@link ConversationService} (conversations) over {@link Runtimes} (the shard's live
 * threads) and {@link StepLoop}.
 */
public final class AgentVerticle extends VerticleBase {
  private final int shard;
  private final int shards;
  private final LlmSettings llmSettings;
  private final EngramConfig.Agents settings;
  private final EmbeddingSettings embedding;
  private final int chunkTokens;
  private final int sandboxWallSeconds;
  private final McpSettings mcpSettings;
  private OpenAiClient llm;

  public AgentVerticle(int shard, EngramConfig config) {
    this.shard = shard;
    this.shards = config.agents().instances();
    this.llmSettings = config.llm();
    this.settings = config.agents();
    this.embedding = config.embedding();
    this.chunkTokens = config.archival().chunkTokens();
    this.sandboxWallSeconds = config.tools().defaults().wallSeconds();
    this.mcpSettings = config.mcp();
  }

  @Override
  public Future<?> start() {
    llm = new OpenAiClient(vertx, llmSettings);
    EngramMetrics metrics = EngramMetrics.of(vertx);
    LlmClient client = new MeteredLlm(llm, metrics, llmSettings.model());
    var archival = new ArchivalMemory(vertx, new EmbedClient(vertx, embedding.timeoutMs()), new ArchivalClient(vertx),
        new MemoryClient(vertx), new Chunker(chunkTokens), embedding.model());
    var builtIns = new ToolRegistry();
    var toolsets = new Toolsets(builtIns, new ToolClient(vertx), new McpServerClient(vertx),
        new SandboxClient(vertx, sandboxWallSeconds), new McpService(vertx, mcpSettings));
    var deps = new AgentDeps(vertx, new StoreClient(vertx), new ConversationClient(vertx), new BlockClient(vertx),
        archival, client,
        new Summarizer(client), builtIns, toolsets, settings.maxChainingSteps(), settings.coreMemoryLimit(),
        llmSettings.model(), llmSettings.contextWindow(), ZoneId.of(settings.timezone()), inputWriteDelayMs(),
        metrics, null, Placement.of(vertx) == null ? null : Placement.of(vertx)::fence);
    var runClient = new RunClient(vertx);
    var changes = new AgentChanges(deps);
    var runtimes = new Runtimes(deps, changes);
    metrics.mailboxDepth(shard, runtimes.mailbox, AgentMailbox::depth);
    var runs = new RunService(deps, runtimes, llmSettings.configured(), runClient, Placement.of(vertx) != null);
    var service = new AgentService(deps, runtimes, changes, runs);
    var conversations = new ConversationService(deps, runtimes, changes, runs);
    StoreProtocol.AUTH_REVOKED.subscribe(vertx, revoked -> runtimes.forgetUser(revoked.userId()));
    ArchivalProtocol.ARCHIVAL_CHANGED.subscribe(vertx, changed -> runtimes.archivalChanged(changed.agentIds()));
    BlockProtocol.BLOCKS_CHANGED.subscribe(vertx, changed -> runtimes.blocksChanged(changed.versions()));
    var messageEdits = new MessageEdits(service, runtimes, deps);
    Placement placement = Placement.of(vertx);
    Bind bind = placement == null ? new Bind() {
      @Override
      public <Q extends Record, R extends Record> Future<Void> serve(Endpoint<Q, R> endpoint,
          Function<? super Q, ? extends Future<? extends R>> handler) {
        return endpoint.shard(shard).serve(vertx, handler);
      }
    } : owned(placement);
    Future<?> served = Future.all(List.of(
        bind.serve(STEP, runs::step),
        bind.serve(CANCEL, runs::cancel),
        bind.serve(CONVERSATION_CREATE, conversations::create),
        bind.serve(CONVERSATION_UPDATE, conversations::update),
        bind.serve(CONVERSATION_DELETE, conversations::delete),
        bind.serve(FORK, conversations::fork),
        bind.serve(COMPACT, conversations::compact),
        bind.serve(RECOMPILE, conversations::recompile),
        bind.serve(CREATE, service::create),
        bind.serve(GET, service::get),
        bind.serve(UPDATE_MEMORY, service::updateMemory),
        bind.serve(EDIT_BLOCK, service::editBlock),
        bind.serve(LINK_BLOCK, service::linkBlock),
        bind.serve(LINK_TOOL, service::linkTool),
        bind.serve(UPDATE, service::update),
        bind.serve(CONTEXT, service::context),
        bind.serve(RESET, service::reset),
        bind.serve(RENAME, service::rename),
        bind.serve(DELETE, service::delete),
        bind.serve(COMMAND, service::command),
        bind.serve(EDIT_MESSAGE, messageEdits::edit)));
    if (placement != null) {
      // the runs of a shard are recovered when its lease is taken (Placement.Slot.gained)
      return served.onSuccess(v -> placement.attach(shard, new ClusterSlot(placement, runtimes, runs, runClient)));
    }
    // the runs a previous process stored and did not start (it failed those it had started: StoreVerticle)
    return served.compose(v -> runClient.queued())
        .map(queued -> {
          runs.resume(queued.stream().filter(r -> shardOf(r.agentId(), shards) == shard).toList());
          return null;
        });
  }

  /** Binds one endpoint for this verticle: on its shard's address, or (cluster mode) on its slot's. */
  private interface Bind {
    <Q extends Record, R extends Record> Future<Void> serve(Endpoint<Q, R> endpoint,
        Function<? super Q, ? extends Future<? extends R>> handler);
  }

  /**
   * Cluster mode: the endpoints on this verticle's slot address, which every node can reach; a request for an agent
   * whose shard this verticle does not serve (any more, or not yet) is refused as moved, and its sender asks again.
   */
  private Bind owned(Placement placement) {
    String slot = placement.slotAddress(shard);
    return new Bind() {
      @Override
      public <Q extends Record, R extends Record> Future<Void> serve(Endpoint<Q, R> endpoint,
          Function<? super Q, ? extends Future<? extends R>> handler) {
        return endpoint.at(slot).serveClustered(vertx, headers -> {
          String agentId = headers.get(AgentClient.AGENT_HEADER);
          return agentId == null || placement.serves(shard, placement.shardOf(agentId)) ? null
              : AgentClient.moved(agentId);
        }, handler);
      }
    };
  }

  /**
   * Cluster mode writes a send's input only with its first step (-1): the send is stored as its run before it is
   * accepted anyway, and an input written on its own would be written again when a node that took the agent over runs
   * the send once more (its first owner having stopped before the step was stored).
   */
  private long inputWriteDelayMs() {
    return Placement.of(vertx) != null ? -1 : settings.inputWriteDelayMs();
  }

  @Override
  public Future<?> stop() {
    if (llm != null) {
      llm.close();
    }
    return Future.succeededFuture();
  }
}
