package dev.engram.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One file loaded into a source; its text lives on as the source's passages, and as {@code text} (for documents
 * loaded before the text was kept, the passages joined again).
 */
public record Document(String id, String userId, String sourceId, String jobId, String name, int chars,
    Map<String, Object> metadata, Instant createdAt, String text) {

  public Document {
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
