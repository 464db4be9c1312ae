package dev.engram.model;

import java.time.Instant;
import java.util.List;

/**
 * Where a user wants the outcome of asynchronous adds POSTed (the Mem0 platform's project webhook). {@code secret}
 * signs each delivery; {@code eventTypes} are the platform's names (memory_add, memory_update, memory_delete): a
 * delivery goes out when the add did one of them, or failed.
 */
public record Webhook(String id, String userId, String project, String name, String url, String secret,
    List<String> eventTypes, boolean active, Instant createdAt, Instant updatedAt) {}
