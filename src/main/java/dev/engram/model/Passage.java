package dev.engram.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One passage of archival memory: a chunk of text with its vector kept in PostgreSQL. It belongs either to an agent
 * ({@code agentId}, inserted by the agent or over the API) or to a source ({@code sourceId}, a chunk of an uploaded
 * document, visible to the agents the source is attached to). A chunk of a document names the file it came from
 * ({@code fileId}, the upload's job id, and {@code fileName}); {@code tags} are the labels given at insertion.
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
    Instant createdAt,
    List<String> tags,
    String fileId,
    String fileName) {

  public Passage {
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
