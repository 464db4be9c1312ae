package dev.engram.model;

import dev.engram.kernel.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An agent's core memory: its blocks in the order the system prompt shows them, each with a distinct label. Edits
 * name a block by its label (the {@code name} of the MemGPT memory tools) and return a new memory.
 */
public record CoreMemory(List<Block> blocks) {
  public static final String PERSONA = "persona";
  public static final String HUMAN = "human";

  public CoreMemory {
    blocks = List.copyOf(blocks);
  }

  /** The block labelled {@code label}, or null. */
  public Block find(String label) {
    for (Block b : blocks) {
      if (b.label().equals(label)) {
        return b;
      }
    }
    return null;
  }

  /** The block labelled {@code label}; a label naming no block is a 422 that lists the labels there are. */
  public Block block(String label) {
    Block b = find(label);
    if (b == null) {
      throw ApiException.unprocessable("No memory section named " + label + " (this agent's blocks: "
          + String.join(", ", labels()) + ")");
    }
    return b;
  }

  /** The value of the block labelled {@code label}, or null when there is none. */
  public String valueOf(String label) {
    Block b = find(label);
    return b == null ? null : b.value();
  }

  public List<String> labels() {
    return blocks.stream().map(Block::label).toList();
  }

  /** The memory with {@code block} in place of the block of the same id (unchanged when it holds none). */
  public CoreMemory with(Block block) {
    List<Block> out = new ArrayList<>(blocks.size());
    for (Block b : blocks) {
      out.add(b.id().equals(block.id()) ? block : b);
    }
    return new CoreMemory(out);
  }

  /** The memory with the labelled block's value changed by {@code change} (limit checked). */
  public CoreMemory edit(String label, UnaryOperator<String> change) {
    Block b = block(label);
    return with(b.withValue(change.apply(b.value())));
  }

  public CoreMemory append(String label, String content) {
    return edit(label, appending(content));
  }

  public CoreMemory replace(String label, String oldContent, String newContent) {
    return edit(label, replacing(label, oldContent, newContent));
  }

  /** core_memory_append: the content on a line of its own after the current value. */
  public static UnaryOperator<String> appending(String content) {
    return current -> current + "\n" + content;
  }

  /** core_memory_replace: every occurrence of a non-empty exact string replaced; an absent one is an error. */
  public static UnaryOperator<String> replacing(String label, String oldContent, String newContent) {
    return current -> {
      if (oldContent == null || oldContent.isEmpty()) {
        throw ApiException.unprocessable("old_content must not be empty");
      }
      if (!current.contains(oldContent)) {
        throw ApiException.unprocessable("Content not found in " + label + " (make sure to use exact string)");
      }
      return current.replace(oldContent, newContent == null ? "" : newContent);
    };
  }
}
