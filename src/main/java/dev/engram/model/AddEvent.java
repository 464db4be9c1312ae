package dev.engram.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An asynchronous Mem0 add (the platform's event): PENDING once its raw messages are stored, RUNNING while its facts
 * are extracted, then SUCCEEDED with the add's results (one JSON object per ADD/UPDATE/DELETE) or FAILED with the
 * reason. {@code payload} is the add as it was asked for; {@code scope*} are its Mem0 ids.
 */
public record AddEvent(
    String id,
    String userId,
    String status,
    Map<String, Object> payload,
    List<Map<String, Object>> results,
    String error,
    int attempts,
    Instant createdAt,
    Instant updatedAt,
    Instant startedAt,
    Instant completedAt) {
  public static final String PENDING = "PENDING";
  public static final String RUNNING = "RUNNING";
  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";

  public AddEvent {
    payload = payload == null ? Map.of() : payload;
    results = results == null ? List.of() : results;
  }

  public boolean finished() {
    return SUCCEEDED.equals(status) || FAILED.equals(status);
  }
}
