package dev.engram.agent;

import dev.engram.model.Memory;
import dev.engram.model.Passage;
import java.time.Instant;

/**
 * One result of an agent's archival search: a passage (its own, or a chunk of a document of an attached source) or a
 * Mem0 memory of an attached scope; exactly one of {@code passage} and {@code memory} is set. {@code score} is the
 * hit's score in its own ranking (see {@link ArchivalMemory#search}).
 */
public record ArchivalHit(Passage passage, Memory memory, double score) {
  public String id() {
    return passage != null ? passage.id() : memory.id();
  }

  public String text() {
    return passage != null ? passage.text() : memory.text();
  }

  public Instant createdAt() {
    return passage != null ? passage.createdAt() : memory.createdAt();
  }

  /** Whether the hit is a Mem0 memory of an attached scope. */
  public boolean isMemory() {
    return memory != null;
  }
}
