package dev.engram.agent;

import static dev.engram.agent.AgentProtocol.*;

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

/**
 * One agent verticle instance serves one shard: the agents whose id hashes to it. Wires the step loop's collaborators
 * and binds the shard's addresses; the logic is in {@link AgentService} (agents), {@link RunService} (sends),
 * {@link ConversationService} (conversations) over {@link Runtimes} (the shard's live threads) and {@link StepLoop}.
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
        llmSettings.model(), llmSettings.contextWindow(), ZoneId.of(settings.timezone()), settings.inputWriteDelayMs(),
        metrics, null);
    var runClient = new RunClient(vertx);
    var changes = new AgentChanges(deps);
    var runtimes = new Runtimes(deps, changes);
    metrics.mailboxDepth(shard, runtimes.mailbox, AgentMailbox::depth);
    var runs = new RunService(deps, runtimes, llmSettings.configured(), runClient);
    var service = new AgentService(deps, runtimes, changes, runs);
    var conversations = new ConversationService(deps, runtimes, changes, runs);
    StoreProtocol.AUTH_REVOKED.subscribe(vertx, revoked -> runtimes.forgetUser(revoked.userId()));
    ArchivalProtocol.ARCHIVAL_CHANGED.subscribe(vertx, changed -> runtimes.archivalChanged(changed.agentIds()));
    BlockProtocol.BLOCKS_CHANGED.subscribe(vertx, changed -> runtimes.blocksChanged(changed.versions()));
    return Future.all(List.of(
        STEP.shard(shard).serve(vertx, runs::step),
        CANCEL.shard(shard).serve(vertx, runs::cancel),
        CONVERSATION_CREATE.shard(shard).serve(vertx, conversations::create),
        CONVERSATION_UPDATE.shard(shard).serve(vertx, conversations::update),
        CONVERSATION_DELETE.shard(shard).serve(vertx, conversations::delete),
        FORK.shard(shard).serve(vertx, conversations::fork),
        COMPACT.shard(shard).serve(vertx, conversations::compact),
        RECOMPILE.shard(shard).serve(vertx, conversations::recompile),
        CREATE.shard(shard).serve(vertx, service::create),
        GET.shard(shard).serve(vertx, service::get),
        UPDATE_MEMORY.shard(shard).serve(vertx, service::updateMemory),
        EDIT_BLOCK.shard(shard).serve(vertx, service::editBlock),
        LINK_BLOCK.shard(shard).serve(vertx, service::linkBlock),
        LINK_TOOL.shard(shard).serve(vertx, service::linkTool),
        UPDATE.shard(shard).serve(vertx, service::update),
        CONTEXT.shard(shard).serve(vertx, service::context),
        RESET.shard(shard).serve(vertx, service::reset),
        RENAME.shard(shard).serve(vertx, service::rename),
        DELETE.shard(shard).serve(vertx, service::delete),
        COMMAND.shard(shard).serve(vertx, service::command),
        EDIT_MESSAGE.shard(shard).serve(vertx, new MessageEdits(service, runtimes, deps)::edit)))
        // the runs a previous process stored and did not start (it failed those it had started: StoreVerticle)
        .compose(served -> runClient.queued())
        .map(queued -> {
          runs.resume(queued.stream().filter(r -> shardOf(r.agentId(), shards) == shard).toList());
          return null;
        });
  }

  @Override
  public Future<?> stop() {
    if (llm != null) {
      llm.close();
    }
    return Future.succeededFuture();
  }
}
