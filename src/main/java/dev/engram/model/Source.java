package dev.engram.model;

import java.time.Instant;

/** A named collection of documents whose passages can be attached to agents. */
public record Source(String id, String userId, String name, String description, String embeddingModel,
    int embeddingDim, Instant createdAt) {}
