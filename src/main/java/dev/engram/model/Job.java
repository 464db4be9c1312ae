package dev.engram.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A background job (loading an uploaded file into a source). Status moves created -> running -> completed or
 * failed; {@code metadata} carries the file name and source, then the counts or the error.
 */
public record Job(String id, String userId, String sourceId, String status, Map<String, Object> metadata,
    String filePath, Instant createdAt, Instant completedAt) {

  public static final String CREATED = "created";
  public static final String RUNNING = "running";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";

  public Job {
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
