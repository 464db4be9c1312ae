package dev.engram.store;

import static dev.engram.store.ArchivalProtocol.*;
import static dev.engram.store.BlockProtocol.*;
import static dev.engram.store.MemoryProtocol.*;
import static dev.engram.store.StoreProtocol.*;

import dev.engram.index.MeteredIndex;
import dev.engram.index.PassageIndex;
import dev.engram.index.WriteBehindIndex;
import dev.engram.kernel.Endpoint;
import dev.engram.kernel.Ids;
import dev.engram.observe.EngramMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistence verticle: the holder of the PostgreSQL pool (in cluster mode the placement has a small one of its
 * own, {@link dev.engram.cluster.Placement}), and of the indexes derived from it (archival passages, recall messages
 * and Mem0 memories). Applies migrations, brings the indexes level with the database (in cluster mode then keeps them
 * level with the other nodes' writes, {@link IndexChanges}), then serves the store.* addresses.
 */
public final class StoreVerticle extends VerticleBase {
  /**
   * How often the indexes are committed. A commit writes a new segment, and small segments cost merges later; what a
   * crash loses since the last commit is caught up from PostgreSQL at the next start.
   */
  private static final long FLUSH_EVERY_MS = 30_000;
  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);
  private static final long SIZES_EVERY_MS = 15_000;

  /** Opens an index by name ({@code archival}, {@code recall}); called once per name at start. */
  public interface IndexOpener extends Function<String, PassageIndex> {}

  private final PgConnectOptions connectOptions;
  private final int poolSize;
  private final IndexOpener indexes;
  private final EmbeddingCheck embeddingCheck;
  /** Cluster mode: the database is shared with the other nodes (see {@link DatabaseClaim}, {@link IndexChanges}). */
  private final boolean clustered;
  /** Cluster mode: the head of the index change log before the indexes were synced. */
  private long changesHead;
  private Pool pool;
  private DatabaseClaim claim;
  private PassageIndex archival;
  private PassageIndex recall;
  private PassageIndex memories;
  /** The indexes as opened (before write-behind and timing), by name: what their sizes are read from. */
  private final Map<String, PassageIndex> opened = new LinkedHashMap<>();

  public StoreVerticle(PgConnectOptions connectOptions, int poolSize, IndexOpener indexes, String embeddingModel,
      int embeddingDim) {
    this(connectOptions, poolSize, indexes, embeddingModel, embeddingDim, false);
  }

  public StoreVerticle(PgConnectOptions connectOptions, int poolSize, IndexOpener indexes, String embeddingModel,
      int embeddingDim, boolean clustered) {
    this.clustered = clustered;
    this.connectOptions = connectOptions;
    this.poolSize = poolSize;
    this.indexes = indexes;
    this.embeddingCheck = new EmbeddingCheck(embeddingModel, embeddingDim);
  }

  /** Reads the migration files ahead of a start, off the event loop (a boot calls it beside the database start). */
  public static void readMigrations() {
    Migrator.discover();
  }

  @Override
  public Future<?> start() {
    // the claim comes first: nothing may touch a database that another live process serves
    return DatabaseClaim.take(vertx, connectOptions, this::claimLost, clustered).compose(taken -> {
      claim = taken;
      pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize)).connectingTo(connectOptions)
          .using(vertx).build();
      return Migrator.migrate(pool);
    })
        .compose(applied -> embeddingCheck.verify(pool))
        // before any agent runs: what the previous process left running cannot go on (in a cluster the other nodes
        // may be running theirs: a run is settled by the node that takes its agent over, RunProtocol.TakeOver)
        .compose(v -> clustered ? Future.succeededFuture() : new RunRepository(pool).failInterrupted())
        .compose(v -> clustered ? IndexChanges.enable(pool).<Void>map(head -> {
          changesHead = head;
          return null;
        }) : IndexChanges.disableIfEnabled(pool))
        // and before any memory verticle claims: the asynchronous adds that were being extracted are to be run again
        // (in a cluster only those claimed long ago: the live nodes are extracting theirs)
        .compose(v -> AddEventRepository.releaseInterrupted(pool, clustered))
        .compose(v -> vertx.executeBlocking(() -> {
          EngramMetrics metrics = EngramMetrics.of(vertx);
          archival = new MeteredIndex(open("archival"), metrics.indexSearch("archival"));
          // saves do not wait for the recall index; searches wait for the entries they could find
          recall = new MeteredIndex(new WriteBehindIndex(open("recall")), metrics.indexSearch("recall"));
          memories = new MeteredIndex(open("memories"), metrics.indexSearch("memories"));
          return null;
        }))
        .compose(v -> IndexSync.sync(pool, archival, IndexFeeds.PASSAGES))
        .compose(v -> IndexSync.sync(pool, recall, IndexFeeds.MESSAGES))
        .compose(v -> IndexSync.sync(pool, memories, IndexFeeds.MEMORIES))
        .compose(v -> {
          if (clustered) {
            IndexChanges.follow(vertx, pool, Map.of("archival", archival, "recall", recall, "memories", memories),
                Map.of("archival", IndexFeeds.PASSAGES, "recall", IndexFeeds.MESSAGES, "memories", IndexFeeds.MEMORIES),
                changesHead);
          }
          vertx.setPeriodic(FLUSH_EVERY_MS, id -> {
            IndexSync.bestEffort(archival.flush(), "periodic flush");
            IndexSync.bestEffort(recall.flush(), "periodic flush");
            IndexSync.bestEffort(memories.flush(), "periodic flush");
          });
          // the index-size gauges: counted now and then (a scrape cannot wait for the indexes), from what the
          // searches last saw: an exact count refreshes the index and scans it, a stall of 100-300 ms every 15 s
          // under load (scripts/bench.sh steps showed it as a burst of slow sends)
          indexSizes();
          vertx.setPeriodic(SIZES_EVERY_MS, id -> gaugeIndexSizes());
          return register();
        });
  }

  private Future<?> register() {
    var users = new UserRepository(pool, List.of(archival, recall, memories));
    var blocks = new BlockRepository(pool);
    var presets = new PresetRepository(pool);
    var agents = new AgentRepository(context, pool, recall, archival, blocks);
    var messages = new MessageRepository(pool, recall);
    var passages = new PassageRepository(pool, archival);
    var sources = new SourceRepository(pool, archival);
    var jobs = new JobRepository(pool, archival);
    var files = new FileRepository(pool, archival);
    var scopes = new MemoryScopes(pool, !clustered);
    var mems = new MemoryRepository(pool, memories, scopes);
    var memoryChanges = new MemoryChanges(context, pool, memories, mems, scopes);
    var memorySearch = new MemorySearch(pool, memories, scopes);
    var memoryPages = new MemoryPages(pool, scopes);
    var memoryExports = new MemoryExports(pool);
    var sessions = new SessionRepository(pool, mems);
    var agentScopes = new AgentScopeRepository(pool, scopes);
    List<Future<?>> registrations = new ArrayList<>();
    registrations.add(serve(USER_CREATE, users::create));
    registrations.add(serve(USER_LIST, (ListUsers r) -> users.list()));
    registrations.add(serve(USER_DELETE, (DeleteUser r) -> users.delete(r).onSuccess(d -> {
      scopes.forget(Ids.require(r.userId(), "user_id"));
      AUTH_REVOKED.publish(vertx, new AuthRevoked(r.userId()));
    })));
    registrations.add(serve(USER_EXISTS, users::exists));
    registrations.add(serve(KEY_CREATE, users::createKey));
    registrations.add(serve(KEY_LIST, users::listKeys));
    registrations.add(serve(KEY_DELETE, (DeleteKey r) -> users.deleteKey(r)
        .onSuccess(u -> AUTH_REVOKED.publish(vertx, new AuthRevoked(u.userId()))).map(u -> new Done())));
    registrations.add(serve(KEY_RESOLVE, users::resolveKey));
    registrations.add(serve(AGENT_INSERT, agents::insert));
    registrations.add(serve(AGENT_LOAD, agents::load));
    registrations.add(serve(AGENT_LIST, agents::list));
    registrations.add(serve(AGENT_DELETE, agents::delete));
    registrations.add(serve(AGENT_SAVE, agents::save));
    registrations.add(serve(AGENT_UPDATE_SETTINGS, agents::updateSettings));
    registrations.add(serve(BLOCK_CREATE, blocks::create));
    registrations.add(serve(BLOCK_GET, blocks::get));
    registrations.add(serve(BLOCK_BY_IDS, blocks::byIds));
    registrations.add(serve(BLOCK_LIST, blocks::list));
    registrations.add(serve(BLOCK_UPDATE, (UpdateBlock r) -> blocks.update(r)
        .onSuccess(found -> blocksChanged(found.block().id(), found.block().version()))));
    registrations.add(serve(BLOCK_WRITE, (WriteBlock r) -> blocks.write(r).onSuccess(w -> {
      if (w.written()) {
        blocksChanged(w.block().id(), w.block().version());
      }
    })));
    registrations.add(serve(BLOCK_DELETE, (DeleteBlock r) -> blocks.delete(r)
        .onSuccess(found -> blocksChanged(found.block().id(), DELETED))));
    registrations.add(serve(BLOCK_AGENTS, blocks::agentsOf));
    registrations.add(serve(AGENT_BLOCKS, blocks::ofAgent));
    registrations.add(serve(AGENT_BLOCKS_SET, blocks::setAgentBlocks));
    registrations.add(serve(TEMPLATE_FIND, blocks::findTemplate));
    registrations.add(serve(PRESET_CREATE, presets::create));
    registrations.add(serve(PRESET_LIST, presets::list));
    registrations.add(serve(PRESET_FIND, presets::find));
    registrations.add(serve(PRESET_DELETE, presets::delete));
    registrations.add(serve(MESSAGE_PAGE, messages::page));
    registrations.add(serve(MESSAGE_CURSOR, messages::cursor));
    registrations.add(serve(MESSAGE_HISTORY, messages::history));
    registrations.add(serve(MESSAGE_SEARCH, messages::search));
    registrations.add(serve(MESSAGE_GET, messages::get));
    registrations.add(serve(MESSAGE_REWRITE, messages::rewrite));
    var conversations = new ConversationRepository(pool, recall, blocks);
    registrations.add(serve(ConversationProtocol.INSERT, conversations::insert));
    registrations.add(serve(ConversationProtocol.GET, conversations::get));
    registrations.add(serve(ConversationProtocol.LIST, conversations::list));
    registrations.add(serve(ConversationProtocol.UPDATE, conversations::update));
    registrations.add(serve(ConversationProtocol.DELETE, conversations::delete));
    registrations.add(serve(ConversationProtocol.LOAD, conversations::load));
    var runs = new RunRepository(pool);
    registrations.add(serve(RunProtocol.CLAIM, runs::claim));
    registrations.add(serve(RunProtocol.START, runs::start));
    registrations.add(serve(RunProtocol.CANCEL_QUEUED, runs::cancelQueued));
    registrations.add(serve(RunProtocol.FAIL, runs::fail));
    registrations.add(serve(RunProtocol.GET, runs::get));
    registrations.add(serve(RunProtocol.LIST, runs::list));
    registrations.add(serve(RunProtocol.EVENTS, runs::events));
    registrations.add(serve(RunProtocol.TAKE_OVER, runs::takeOver));
    registrations.add(serve(RunProtocol.QUEUED, (RunProtocol.QueuedRuns r) -> runs.queued()));
    registrations.add(serve(ARCHIVAL_INSERT, (InsertArchival r) -> passages.insert(r)
        .onSuccess(ids -> archivalChanged(List.of(r.agentId())))));
    registrations.add(serve(ARCHIVAL_LIST, new ArchivalListing(pool, passages)::list));
    registrations.add(serve(ARCHIVAL_SEARCH, passages::search));
    registrations.add(serve(ARCHIVAL_DELETE, (DeleteArchival r) -> passages.delete(r)
        .onSuccess(d -> archivalChanged(List.of(r.agentId())))));
    registrations.add(serve(ARCHIVAL_COUNT, passages::count));
    registrations.add(serve(SOURCE_CREATE, sources::create));
    registrations.add(serve(SOURCE_UPDATE, sources::update));
    registrations.add(serve(SOURCE_GET, sources::get));
    registrations.add(serve(SOURCE_LIST, sources::list));
    registrations.add(serve(SOURCE_DELETE, (DeleteSource r) -> sources.delete(r)
        .map(gone -> {
          archivalChanged(gone.attachedAgents().stream().map(AgentRef::id).toList());
          return new Done();
        })));
    registrations.add(serve(SOURCE_ATTACH, (AttachSource r) -> sources.attach(r)
        .onSuccess(v -> archivalChanged(List.of(r.agentId())))));
    registrations.add(serve(SOURCE_OF_AGENT, sources::ofAgent));
    registrations.add(serve(SOURCE_PASSAGES, sources::passages));
    registrations.add(serve(SOURCE_DOCUMENTS, sources::documents));
    registrations.add(serve(JOB_CREATE, (CreateJob r) -> files.create(r).onSuccess(created -> {
      if (created.replaced()) {
        sourceChanged(sources, r.userId(), r.sourceId());
      }
    })));
    registrations.add(serve(JOB_GET, jobs::get));
    registrations.add(serve(JOB_START, jobs::start));
    registrations.add(serve(JOB_COMPLETE, (CompleteJob r) -> jobs.complete(r)
        .onSuccess(done -> sources.get(new GetSource(done.job().userId(), done.job().sourceId()))
            .onSuccess(v -> archivalChanged(v.attachedAgents().stream().map(AgentRef::id).toList())))));
    registrations.add(serve(JOB_FAIL, jobs::fail));
    registrations.add(serve(JOB_CLAIM, jobs::claim));
    registrations.add(serve(JOB_FILE, jobs::file));
    registrations.add(serve(JOB_PROGRESS, jobs::progress));
    registrations.add(serve(JOB_LIST, jobs::ofUser));
    registrations.add(serve(FILE_GET, files::get));
    registrations.add(serve(FILE_LIST, files::list));
    registrations.add(serve(FILE_DELETE, (DeleteFile r) -> files.delete(r)
        .onSuccess(d -> sourceChanged(sources, r.userId(), r.sourceId()))));
    registrations.add(serve(MEMORY_APPLY, memoryChanges::apply));
    registrations.add(serve(MEMORY_SEARCH, memorySearch::search));
    registrations.add(serve(MEMORY_SCOPES, scopes::find));
    registrations.add(serve(MEMORY_LIST, mems::list));
    registrations.add(serve(MEMORY_PAGE, memoryPages::page));
    registrations.add(serve(MEMORY_ENTITIES, memoryPages::entities));
    registrations.add(serve(MEMORY_EXPORT_SAVE, memoryExports::save));
    registrations.add(serve(MEMORY_EXPORT_FIND, memoryExports::find));
    registrations.add(serve(MEMORY_GET, mems::get));
    registrations.add(serve(MEMORY_UPDATE, mems::update));
    registrations.add(serve(MEMORY_DELETE, mems::delete));
    registrations.add(serve(MEMORY_DELETE_ALL, mems::deleteAll));
    registrations.add(serve(MEMORY_HISTORY, mems::history));
    registrations.add(serve(MEMORY_RESET, mems::reset));
    registrations.add(serve(SCOPE_ATTACH, agentScopes::attach));
    registrations.add(serve(SCOPE_OF_AGENT, agentScopes::ofAgent));
    var addEvents = new AddEventRepository(context, pool, memories, memoryChanges, scopes);
    registrations.add(serve(AddEventProtocol.OPEN, addEvents::open));
    registrations.add(serve(AddEventProtocol.CLAIM, addEvents::claim));
    registrations.add(serve(AddEventProtocol.RELEASE_ORPHANS, addEvents::releaseOrphans));
    registrations.add(serve(AddEventProtocol.SETTLE, addEvents::settle));
    registrations.add(serve(AddEventProtocol.FAIL, addEvents::fail));
    registrations.add(serve(AddEventProtocol.GET, addEvents::get));
    var webhooks = new WebhookRepository(pool);
    registrations.add(serve(WebhookProtocol.CREATE, webhooks::create));
    registrations.add(serve(WebhookProtocol.LIST, webhooks::list));
    registrations.add(serve(WebhookProtocol.UPDATE, webhooks::update));
    registrations.add(serve(WebhookProtocol.DELETE, webhooks::delete));
    registrations.add(serve(SESSION_CREATE, sessions::create));
    registrations.add(serve(SESSION_GET, sessions::get));
    registrations.add(serve(SESSION_DELETE, sessions::delete));
    registrations.add(serve(SESSION_RECENT, sessions::recent));
    var mcp = new McpServerRepository(pool);
    registrations.add(serve(McpServerProtocol.CREATE, mcp::create));
    registrations.add(serve(McpServerProtocol.GET, mcp::get));
    registrations.add(serve(McpServerProtocol.LIST, mcp::list));
    registrations.add(serve(McpServerProtocol.SAVE, mcp::save));
    registrations.add(serve(McpServerProtocol.DELETE, mcp::delete));
    registrations.add(serve(McpServerProtocol.TOOLS_SYNC, mcp::sync));
    registrations.add(serve(McpServerProtocol.TOOLS_LIST, mcp::tools));
    registrations.add(serve(McpServerProtocol.TOOLS_FIND, mcp::find));
    var tools = new ToolRepository(pool);
    registrations.add(serve(ToolProtocol.CREATE, tools::create));
    registrations.add(serve(ToolProtocol.GET, tools::get));
    registrations.add(serve(ToolProtocol.FIND, tools::find));
    registrations.add(serve(ToolProtocol.SAVE, tools::save));
    registrations.add(serve(ToolProtocol.DELETE, tools::delete));
    registrations.add(serve(PING, (Ping r) -> pool.query("select 1").execute().map(v -> new Done())));
    registrations.add(serve(INDEX_SIZES, (Ping r) -> indexSizes()));
    return Future.all(registrations);
  }

  private PassageIndex open(String name) {
    PassageIndex index = indexes.apply(name);
    opened.put(name, index);
    return index;
  }

  /** Sets the index-size gauges from each index's last searcher (cheap; may lag the latest writes). */
  private void gaugeIndexSizes() {
    EngramMetrics metrics = EngramMetrics.of(vertx);
    opened.forEach((name, index) -> index.size()
        .onSuccess(count -> metrics.indexDocuments(name).set(count))
        .onFailure(e -> LOG.debug("index {} could not be counted for its gauge", name, e)));
  }

  /** Counts the entries of each index and sets the index-size gauges. */
  private Future<IndexSizes> indexSizes() {
    EngramMetrics metrics = EngramMetrics.of(vertx);
    List<String> names = List.copyOf(opened.keySet());
    List<Future<PassageIndex.IndexStats>> counting = names.stream().map(n -> opened.get(n).stats()).toList();
    return Future.all(counting).map(all -> {
      Map<String, Long> entries = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        long count = counting.get(i).result().count();
        entries.put(names.get(i), count);
        metrics.indexDocuments(names.get(i)).set(count);
      }
      return new IndexSizes(entries);
    });
  }

  /** Tells the agent verticles that a block changed, so that the agents holding it rebuild their prompts. */
  private void blocksChanged(String blockId, long version) {
    BLOCKS_CHANGED.publish(vertx, new BlocksChanged(java.util.Map.of(blockId, version)));
  }

  /** A source's passages changed: the agents it is attached to are told. */
  private void sourceChanged(SourceRepository sources, String userId, String sourceId) {
    sources.get(new GetSource(userId, sourceId))
        .onSuccess(v -> archivalChanged(v.attachedAgents().stream().map(AgentRef::id).toList()));
  }

  private void archivalChanged(List<String> agentIds) {
    if (!agentIds.isEmpty()) {
      ARCHIVAL_CHANGED.publish(vertx, new ArchivalChanged(agentIds));
    }
  }

  /** Another process took the database while this one's claim was lost: this process stops serving it. */
  private void claimLost() {
    vertx.close();
  }

  @Override
  public Future<?> stop() {
    List<Future<?>> closing = new ArrayList<>();
    for (PassageIndex index : new PassageIndex[] {archival, recall, memories}) {
      if (index != null) {
        closing.add(index.flush().eventually(() -> vertx.executeBlocking(() -> {
          index.close();
          return null;
        })));
      }
    }
    return Future.join(closing).eventually(() -> pool == null ? Future.succeededFuture() : pool.close())
        .eventually(() -> claim == null ? Future.succeededFuture() : claim.release());
  }

  private <Q extends Record, R extends Record> Future<Void> serve(Endpoint<Q, R> endpoint,
      Function<? super Q, ? extends Future<? extends R>> handler) {
    return endpoint.serve(vertx, handler);
  }
}
