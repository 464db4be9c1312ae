package dev.engram.model;

import java.time.Instant;
import java.util.Map;

/**
 * One Mem0 memory of an authenticated user: its text, the Mem0 scope ids it was stored under (any may be null), the
 * optional role/actor of the message it came from, user metadata, and the chat session it belongs to, if any.
 */
public record Memory(
    String id,
    String text,
    String hash,
    Map<String, Object> metadata,
    String scopeUser,
    String scopeAgent,
    String scopeRun,
    String actorId,
    String role,
    String memoryType,
    String sessionId,
    Instant createdAt,
    Instant updatedAt) {

  public Memory {
    metadata = metadata == null ? Map.of() : metadata;
  }
}
