package dev.engram.agent;

import dev.engram.cluster.Fence;
import dev.engram.kernel.ApiException;
import dev.engram.model.Block;
import dev.engram.store.BlockClient;
import io.vertx.core.Future;
import java.util.function.UnaryOperator;

/**
 * Edits of a block that other agents (or the API) may be writing at the same time. An edit is a change of the value
 * it reads (append, replace...), written with the version it read; when another write got in between, the store
 * answers with the newer block and the change is made again on it. So two agents appending to one shared block at
 * once both get in, and a limit is always checked against the value actually written.
 */
final class BlockEdits {
  /** How often an edit is redone after losing a race; each loss means another writer made progress. */
  static final int ATTEMPTS = 32;
  static final String READ_ONLY = "This block is read-only and cannot be edited.";

  private BlockEdits() {}

  /**
   * Writes {@code change} of {@code read}'s value and answers the block as written (or {@code read} when the change
   * changes nothing). {@code byAgent}: the agent's own tools, which may not write a read-only block.
   */
  static Future<Block> apply(BlockClient blocks, String userId, Block read, UnaryOperator<String> change,
      boolean byAgent, Fence fence) {
    return apply(blocks, userId, read, change, byAgent, fence, ATTEMPTS);
  }

  private static Future<Block> apply(BlockClient blocks, String userId, Block read, UnaryOperator<String> change,
      boolean byAgent, Fence fence, int attempts) {
    String value;
    try {
      if (byAgent && read.readOnly()) {
        throw ApiException.unprocessable(READ_ONLY);
      }
      value = change.apply(read.value());
      Block.checkFits(read.label(), value, read.limit());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (value.equals(read.value())) {
      return Future.succeededFuture(read);
    }
    return blocks.write(userId, read.id(), read.version(), value, fence).compose(w -> {
      if (w.written()) {
        return Future.succeededFuture(w.block());
      }
      if (attempts <= 1) {
        return Future.failedFuture(ApiException.conflict("Block '" + read.label() + "' is being written by others;"
            + " try again"));
      }
      return apply(blocks, userId, w.block(), change, byAgent, fence, attempts - 1);
    });
  }
}
