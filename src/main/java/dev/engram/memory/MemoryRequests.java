package dev.engram.memory;

import dev.engram.kernel.Endpoint;
import dev.engram.kernel.Notice;
import dev.engram.model.AddEvent;
import dev.engram.store.MemoryProtocol.Applied;
import dev.engram.store.MemoryProtocol.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Requests and replies of the memory verticle (Mem0 add, semantic-memory chat, run-time configuration). */
public final class MemoryRequests {
  private MemoryRequests() {}

  public static final Endpoint<AddMemories, Added> ADD = Endpoint.of("memory.add", AddMemories.class, Added.class);
  /** An add with inference in the background (Mem0's async_mode): answered once its raw messages are searchable. */
  public static final Endpoint<AddMemories, Accepted> ADD_ASYNC =
      Endpoint.of("memory.add-async", AddMemories.class, Accepted.class);
  /** Published when an asynchronous add has settled (SUCCEEDED or FAILED): the HTTP verticles push it over SSE. */
  public static final Notice<AddEventDone> ADD_EVENT_DONE = Notice.of("memory.add-event.done", AddEventDone.class);
  public static final Endpoint<Chat, ChatAnswer> CHAT = Endpoint.of("memory.chat", Chat.class, ChatAnswer.class);
  public static final Endpoint<Configure, Configured> CONFIGURE =
      Endpoint.of("memory.configure", Configure.class, Configured.class);
  /** Published with the new settings: every memory verticle instance takes them. */
  public static final Notice<SettingsChanged> SETTINGS_CHANGED =
      Notice.of("memory.settings", SettingsChanged.class);

  /** One message of a conversation given to Mem0's add; {@code name} is the speaker's name, if any. */
  public record Turn(String role, String content, String name) {}

  /**
   * Mem0's add: with {@code infer} facts are extracted and reconciled with the scope's memories by the LLM; without,
   * each non-system message is stored as it is. {@code memoryType} is null or {@code procedural_memory};
   * {@code prompt} (may be null) replaces our system prompt for the procedural summary, as Mem0's does.
   * {@code expirationDate} (may be null) hides the memories it makes from then on.
   */
  public record AddMemories(String userId, Scope scope, List<Turn> messages, Map<String, Object> metadata,
      boolean infer, String memoryType, String prompt, Instant expirationDate) {}
  public record Added(List<Applied> results) {}
  /** The asynchronous add's event, PENDING (or already further along), its raw messages searchable. */
  public record Accepted(AddEvent event) {}
  public record AddEventDone(AddEvent event) {}

  /** A message to the semantic-memory chat in a session of {@code externalUserId}. */
  public record Chat(String userId, String sessionId, String externalUserId, String message) {}
  /**
   * The model's answer; {@code relevantContextCount} counts what it was given besides the message: the memories
   * retrieved by similarity (from every session of the user) and the session's earlier messages replayed to it.
   */
  public record ChatAnswer(String response, String sessionId, int relevantContextCount) {}

  /** A Mem0 configuration object to apply on top of the current settings (see {@link MemorySettings#configure}). */
  public record Configure(Map<String, Object> config) {}
  /** Which configuration keys took effect and which were ignored. */
  public record Configured(List<String> applied, List<String> ignored) {}
  /** The new settings, published to every memory verticle instance. */
  public record SettingsChanged(MemorySettings settings) {}
}
