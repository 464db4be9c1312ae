package dev.engram.store;

import dev.engram.cluster.Fence;
import dev.engram.kernel.Endpoint;
import dev.engram.kernel.Notice;
import dev.engram.model.Block;
import dev.engram.model.Preset;
import java.util.List;
import java.util.Map;

/**
 * Requests and replies of the persistence verticle about memory blocks and presets. Every request names the user it
 * acts for; another user's block is as unknown as one that does not exist (404).
 */
public final class BlockProtocol {
  private BlockProtocol() {}

  public static final Endpoint<CreateBlocks, Blocks> BLOCK_CREATE =
      Endpoint.of("store.block.create", CreateBlocks.class, Blocks.class);
  public static final Endpoint<GetBlock, FoundBlock> BLOCK_GET =
      Endpoint.of("store.block.get", GetBlock.class, FoundBlock.class);
  public static final Endpoint<BlocksByIds, Blocks> BLOCK_BY_IDS =
      Endpoint.of("store.block.by-ids", BlocksByIds.class, Blocks.class);
  public static final Endpoint<ListBlocks, Blocks> BLOCK_LIST =
      Endpoint.of("store.block.list", ListBlocks.class, Blocks.class);
  public static final Endpoint<UpdateBlock, FoundBlock> BLOCK_UPDATE =
      Endpoint.of("store.block.update", UpdateBlock.class, FoundBlock.class);
  public static final Endpoint<WriteBlock, BlockWrite> BLOCK_WRITE =
      Endpoint.of("store.block.write", WriteBlock.class, BlockWrite.class);
  public static final Endpoint<DeleteBlock, FoundBlock> BLOCK_DELETE =
      Endpoint.of("store.block.delete", DeleteBlock.class, FoundBlock.class);
  public static final Endpoint<BlockAgents, AgentIds> BLOCK_AGENTS =
      Endpoint.of("store.block.agents", BlockAgents.class, AgentIds.class);
  public static final Endpoint<AgentBlocks, Blocks> AGENT_BLOCKS =
      Endpoint.of("store.block.of-agent", AgentBlocks.class, Blocks.class);
  public static final Endpoint<SetAgentBlocks, Blocks> AGENT_BLOCKS_SET =
      Endpoint.of("store.block.set-agent", SetAgentBlocks.class, Blocks.class);
  public static final Endpoint<FindTemplate, FoundBlock> TEMPLATE_FIND =
      Endpoint.of("store.block.template", FindTemplate.class, FoundBlock.class);
  public static final Endpoint<CreatePreset, FoundPreset> PRESET_CREATE =
      Endpoint.of("store.preset.create", CreatePreset.class, FoundPreset.class);
  public static final Endpoint<ListPresets, Presets> PRESET_LIST =
      Endpoint.of("store.preset.list", ListPresets.class, Presets.class);
  public static final Endpoint<FindPreset, FoundPreset> PRESET_FIND =
      Endpoint.of("store.preset.find", FindPreset.class, FoundPreset.class);
  public static final Endpoint<DeletePreset, FoundPreset> PRESET_DELETE =
      Endpoint.of("store.preset.delete", DeletePreset.class, FoundPreset.class);
  /**
   * Published after blocks were written or deleted, with their new versions ({@link #DELETED} for a deleted one), so
   * that every agent holding one of them rebuilds its system prompt before its next step.
   */
  public static final Notice<BlocksChanged> BLOCKS_CHANGED = Notice.of("store.blocks.changed", BlocksChanged.class);

  /** The version a deleted block is announced with: newer than any a holder can have. */
  public static final long DELETED = Long.MAX_VALUE;

  public record CreateBlocks(String userId, List<Block> blocks) {}
  public record GetBlock(String userId, String blockId) {}
  /** The user's blocks of these ids, in this order; the first unknown one is a 404. */
  public record BlocksByIds(String userId, List<String> blockIds) {}
  /**
   * The user's blocks matching every given filter (null: any), oldest first: exact {@code label} and
   * {@code templateName}, templates only, case-insensitive substrings of label, value and description, and tags (any
   * of them, or all with {@code matchAllTags}).
   */
  public record ListBlocks(String userId, String label, boolean templatesOnly, String templateName,
      String labelSearch, String valueSearch, String descriptionSearch, List<String> tags, boolean matchAllTags) {
    public static ListBlocks all(String userId) {
      return new ListBlocks(userId, null, false, null, null, null, null, List.of(), false);
    }
  }
  /** A change of some of a block's fields (null: unchanged); checked against its limit as a whole. */
  public record BlockPatch(String label, String value, Integer limit, String description,
      Map<String, Object> metadata, Boolean readOnly, Boolean template, String templateName, List<String> tags) {
    public static BlockPatch value(String value) {
      return new BlockPatch(null, value, null, null, null, null, null, null, null);
    }
  }
  public record UpdateBlock(String userId, String blockId, BlockPatch patch) {}
  /** Writes a new value over the version {@code expectedVersion}; see {@link BlockWrite}. */
  /** A write of a block's value if its version is still {@code expectedVersion}, under an agent's {@code fence}. */
  public record WriteBlock(String userId, String blockId, long expectedVersion, String value, Fence fence) {}
  /** The block as it now is: written, or (when another write came first) the newer one to redo the edit on. */
  public record BlockWrite(Block block, boolean written) {}
  public record DeleteBlock(String userId, String blockId) {}
  public record BlockAgents(String userId, String blockId) {}
  public record AgentIds(List<String> agentIds) {}
  /** The blocks of an agent in prompt order (its owner was checked by the agent verticle). */
  public record AgentBlocks(String agentId) {}
  /** Makes these (the user's) blocks the agent's, in this order; a label twice is a 409. */
  public record SetAgentBlocks(String userId, String agentId, List<String> blockIds) {}
  /** The user's newest template of this label and name, or none ({@code block} null). */
  public record FindTemplate(String userId, String label, String name) {}
  public record Blocks(List<Block> blocks) {}
  public record FoundBlock(Block block) {}
  public record BlocksChanged(Map<String, Long> versions) {}

  public record CreatePreset(Preset preset) {}
  public record ListPresets(String userId) {}
  /** The user's preset of this name, or none ({@code preset} null). */
  public record FindPreset(String userId, String name) {}
  public record DeletePreset(String userId, String presetId) {}
  public record Presets(List<Preset> presets) {}
  public record FoundPreset(Preset preset) {}
}
