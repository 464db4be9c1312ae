package dev.engram.store;

import dev.engram.kernel.Endpoint;
import dev.engram.model.AddEvent;
import dev.engram.store.MemoryProtocol.Change;
import dev.engram.store.MemoryProtocol.NewMemory;
import dev.engram.store.MemoryProtocol.Scope;
import java.util.List;
import java.util.Map;

/**
 * Requests of the persistence verticle for asynchronous Mem0 adds ({@link AddEvent}): open one (its raw messages
 * stored and indexed with the event, in one transaction), claim one to run, settle it (raw messages replaced by the
 * decided changes, in one transaction) or fail it, and read it.
 */
public final class AddEventProtocol {
  private AddEventProtocol() {}

  public static final Endpoint<OpenEvent, EventReply> OPEN =
      Endpoint.of("store.add-event.open", OpenEvent.class, EventReply.class);
  public static final Endpoint<ClaimEvent, EventReply> CLAIM =
      Endpoint.of("store.add-event.claim", ClaimEvent.class, EventReply.class);
  public static final Endpoint<ReleaseOrphans, Released> RELEASE_ORPHANS =
      Endpoint.of("store.add-event.release-orphans", ReleaseOrphans.class, Released.class);
  public static final Endpoint<SettleEvent, EventReply> SETTLE =
      Endpoint.of("store.add-event.settle", SettleEvent.class, EventReply.class);
  public static final Endpoint<FailEvent, EventReply> FAIL =
      Endpoint.of("store.add-event.fail", FailEvent.class, EventReply.class);
  public static final Endpoint<GetEvent, EventReply> GET =
      Endpoint.of("store.add-event.get", GetEvent.class, EventReply.class);

  /** Stores the raw messages (searchable once this answers) and the PENDING event that will replace them. */
  public record OpenEvent(String userId, String eventId, Scope scope, String embeddingModel, List<NewMemory> raw,
      Map<String, Object> payload) {}

  /**
   * Claims an event to run (PENDING to RUNNING, in one statement, so that no two runs take the same one): the one
   * named, or with a null id the oldest PENDING one. The reply's event is null when there was nothing to claim.
   */
  public record ClaimEvent(String eventId, String runner) {}

  /**
   * Puts back to PENDING the RUNNING events whose runner is not a cluster node seen within {@code liveWithinMs} (it
   * died mid-extraction), so that a live node claims them; answers how many.
   */
  public record ReleaseOrphans(long liveWithinMs) {}

  public record Released(int count) {}

  /**
   * Replaces the event's raw messages with {@code changes} (applied as the add pipeline's, deduplicated) and marks it
   * SUCCEEDED with what they did, in one transaction; fails (nothing changed) unless the event is RUNNING.
   */
  public record SettleEvent(String userId, String eventId, Scope scope, String embeddingModel, List<Change> changes) {}

  /** Marks a PENDING or RUNNING event FAILED with {@code reason}; its raw messages stay. */
  public record FailEvent(String eventId, String reason) {}

  /** The user's event (404 for another user's or an unknown one). */
  public record GetEvent(String userId, String eventId) {}

  /** The event as it is now; null only for a claim that found nothing. */
  public record EventReply(AddEvent event) {}
}
