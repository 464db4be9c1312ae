package dev.engram.model;

import java.time.Instant;

/** A session of the semantic-memory chat API; {@code externalUserId} is the client's own user id. */
public record ChatSession(String id, String externalUserId, String name, Instant createdAt, long messageCount) {}
