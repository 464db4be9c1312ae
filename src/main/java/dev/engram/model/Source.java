package dev.engram.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named collection of documents whose passages can be attached to agents (Letta's folder). {@code chunkTokens} is
 * the chunk size its uploads are split with, null for the server's.
 */
public record Source(String id, String userId, String name, String description, String embeddingModel,
    int embeddingDim, Instant createdAt, String instructions, Map<String, Object> metadata, Integer chunkTokens,
    Instant updatedAt) {

  public Source {
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
