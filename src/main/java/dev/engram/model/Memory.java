package dev.engram.model;

import java.time.Instant;
import java.util.Map;

/**
 * One Mem0 memory of an authenticated user: its text, the Mem0 scope ids it was stored under (any may be null), the
 * optional role/actor of the message it came from, user metadata, and the chat session it belongs to, if any.
 * A memory is a fact valid from {@code validFrom} until {@code validTo} (null: still true); an earlier version of a
 * fact that a newer one superseded names it in {@code supersededBy}. {@code expirationDate} hides it from then on.
 * {@code provenance} says where this version came from (the messages of its add, a chat session, an agent's
 * archival insert, with the time it was received); empty for memories stored before it was kept.
 * {@code pendingEvent} names the asynchronous add whose raw message this is, until its extracted facts replace it.
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
    Instant updatedAt,
    Instant validFrom,
    Instant validTo,
    Instant expirationDate,
    String supersededBy,
    Map<String, Object> provenance,
    String pendingEvent) {

  public Memory {
    metadata = metadata == null ? Map.of() : metadata;
    provenance = provenance == null ? Map.of() : provenance;
  }

  /** Whether the memory is a fact that holds at {@code at}: in force then, and not expired by then. */
  public boolean holdsAt(Instant at) {
    return (validFrom == null || !validFrom.isAfter(at)) && (validTo == null || validTo.isAfter(at))
        && (expirationDate == null || expirationDate.isAfter(at));
  }
}
