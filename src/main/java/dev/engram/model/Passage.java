package dev.engram.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One passage of archival memory: a chunk of text with its vector kept in PostgreSQL. It belongs either to an agent
 * ({@code agentId}, inserted by the agent or over the API) or to a source ({@code sourceId}, a chunk of an uploaded
 * document, visible to the agents the source is attached to).
 */
public record Passage(
    String id,
    String userId,
    String agentId,
    String sourceId,
    String documentId,
    String text,
    String embeddingModel,
    Map<String, Object> metadata,
    Instant createdAt) {

  public Passage {
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
