package dev.engram.model;

import java.time.Instant;

/** One row of a memory's history: an ADD, UPDATE or DELETE with the text before and after. */
public record MemoryEvent(
    String id,
    String memoryId,
    String oldMemory,
    String newMemory,
    String event,
    Instant createdAt,
    Instant updatedAt,
    boolean isDeleted,
    String actorId,
    String role) {}
