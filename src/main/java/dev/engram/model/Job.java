package dev.engram.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A background job loading one uploaded file into a source; on Letta's /v1 the same row is the folder's file (its id
 * is the file's id). Status moves created -> running -> completed or failed; {@code metadata} carries the uploaded
 * file name and source, then the counts or the error. {@code fileName} is the name shown in the folder (unique there),
 * {@code originalFileName} the one it was uploaded under; {@code totalChunks} is null until the text is split, then
 * {@code chunksEmbedded} counts up to it. {@code chunkTokens} is the chunk size (null: the server's).
 */
public record Job(String id, String userId, String sourceId, String status, Map<String, Object> metadata,
    String filePath, Instant createdAt, Instant completedAt, String fileName, String originalFileName,
    String fileType, Integer chunkTokens, Integer totalChunks, int chunksEmbedded, Instant updatedAt) {

  public static final String CREATED = "created";
  public static final String RUNNING = "running";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";

  public Job {
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  public boolean ended() {
    return COMPLETED.equals(status) || FAILED.equals(status);
  }

  /** The bytes received, as recorded at upload. */
  public long sizeBytes() {
    return metadata.get("size_bytes") instanceof Number n ? n.longValue() : 0;
  }

  /** The reason a failed job gives, or null. */
  public String error() {
    return metadata.get("error") instanceof String s ? s : null;
  }
}
