package dev.engram.store;

import dev.engram.cluster.Fence;
import static dev.engram.store.BlockProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.Block;
import dev.engram.model.Preset;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/** Typed access to the blocks and presets of the persistence verticle. */
public final class BlockClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;

  public BlockClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<List<Block>> create(String userId, List<Block> blocks) {
    return ask(BLOCK_CREATE, new CreateBlocks(userId, blocks)).map(Blocks::blocks);
  }

  public Future<Block> get(String userId, String blockId) {
    return ask(BLOCK_GET, new GetBlock(userId, blockId)).map(FoundBlock::block);
  }

  public Future<List<Block>> byIds(String userId, List<String> blockIds) {
    return ask(BLOCK_BY_IDS, new BlocksByIds(userId, blockIds)).map(Blocks::blocks);
  }

  public Future<List<Block>> list(ListBlocks filter) {
    return ask(BLOCK_LIST, filter).map(Blocks::blocks);
  }

  public Future<Block> update(String userId, String blockId, BlockPatch patch) {
    return ask(BLOCK_UPDATE, new UpdateBlock(userId, blockId, patch)).map(FoundBlock::block);
  }

  public Future<BlockWrite> write(String userId, String blockId, long expectedVersion, String value, Fence fence) {
    return ask(BLOCK_WRITE, new WriteBlock(userId, blockId, expectedVersion, value, fence));
  }

  public Future<Block> delete(String userId, String blockId) {
    return ask(BLOCK_DELETE, new DeleteBlock(userId, blockId)).map(FoundBlock::block);
  }

  public Future<List<String>> agentsOf(String userId, String blockId) {
    return ask(BLOCK_AGENTS, new BlockAgents(userId, blockId)).map(AgentIds::agentIds);
  }

  public Future<List<Block>> ofAgent(String agentId) {
    return ask(AGENT_BLOCKS, new AgentBlocks(agentId)).map(Blocks::blocks);
  }

  public Future<List<Block>> setAgentBlocks(String userId, String agentId, List<String> blockIds) {
    return ask(AGENT_BLOCKS_SET, new SetAgentBlocks(userId, agentId, blockIds)).map(Blocks::blocks);
  }

  /** The user's newest template of this label and name, or null. */
  public Future<Block> findTemplate(String userId, String label, String name) {
    return ask(TEMPLATE_FIND, new FindTemplate(userId, label, name)).map(FoundBlock::block);
  }

  public Future<Preset> createPreset(Preset preset) {
    return ask(PRESET_CREATE, new CreatePreset(preset)).map(FoundPreset::preset);
  }

  public Future<List<Preset>> presets(String userId) {
    return ask(PRESET_LIST, new ListPresets(userId)).map(Presets::presets);
  }

  /** The user's preset of this name, or null. */
  public Future<Preset> findPreset(String userId, String name) {
    return ask(PRESET_FIND, new FindPreset(userId, name)).map(FoundPreset::preset);
  }

  public Future<Preset> deletePreset(String userId, String presetId) {
    return ask(PRESET_DELETE, new DeletePreset(userId, presetId)).map(FoundPreset::preset);
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
