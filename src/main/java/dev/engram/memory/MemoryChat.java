package dev.engram.memory;

import dev.engram.embed.EmbedClient;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.memory.MemoryRequests.Chat;
import dev.engram.memory.MemoryRequests.ChatAnswer;
import dev.engram.model.Memory;
import dev.engram.model.Message;
import dev.engram.model.Provenance;
import dev.engram.store.MemoryClient;
import dev.engram.store.MemoryProtocol.Change;
import dev.engram.store.MemoryProtocol.NewMemory;
import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryProtocol.ScoredMemory;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The semantic-memory chat: the user's most similar memories from every session are retrieved, the LLM answers with
 * them and the session's latest messages as context, and the user's message and the answer are stored. When the LLM
 * fails the user's message is stored all the same (it is kept for the next try), unless the model refused it as too
 * long for its context window (422): kept, it would be replayed to every later chat of the session and found as a
 * relevant memory by others, and each of them would fail the same way. Messages are memories of scope (user, run =
 * session). The answer's {@code relevant_context_count} is how much stored context the model was given: the retrieved
 * memories plus the session's earlier messages replayed to it (a follow-up in a session counts the turns it follows).
 */
public final class MemoryChat {
  /** How many memories are retrieved, and how similar they must be to count as relevant. */
  static final int RELEVANT_LIMIT = 5;
  static final double RELEVANT_MIN_SCORE = 0.2;
  /** How many of the session's latest messages are replayed to the model. */
  static final int RECENT_MESSAGES = 10;

  private final MemoryInference inference;
  private final EmbedClient embedder;
  private final MemoryClient store;
  private final Supplier<MemorySettings> settings;
  private final String embeddingModel;

  public MemoryChat(MemoryInference inference, EmbedClient embedder, MemoryClient store,
      Supplier<MemorySettings> settings, String embeddingModel) {
    this.inference = inference;
    this.embedder = embedder;
    this.store = store;
    this.settings = settings;
    this.embeddingModel = embeddingModel;
  }

  public Future<ChatAnswer> chat(Chat req) {
    Scope session = new Scope(req.externalUserId(), null, req.sessionId());
    return store.session(req.userId(), req.sessionId()).compose(s -> {
      if (!s.externalUserId().equals(req.externalUserId())) {
        return Future.failedFuture(ApiException.notFound("Session " + req.sessionId() + " not found for user "
            + req.externalUserId()));
      }
      return store.recentMessages(req.userId(), req.sessionId(), RECENT_MESSAGES);
    }).compose(recent -> embedder.embed(req.message()).compose(vector ->
        store.search(req.userId(), new Scope(req.externalUserId(), null, null), req.message(), vector, null,
                RELEVANT_LIMIT + recent.size(), RELEVANT_MIN_SCORE)
            .compose(found -> answer(req, session, recent, relevant(found, recent), vector))));
  }

  /** Retrieved memories that are not already in the replayed context. */
  private static List<ScoredMemory> relevant(List<ScoredMemory> found, List<Memory> recent) {
    Set<String> inContext = new HashSet<>();
    recent.forEach(m -> inContext.add(m.id()));
    return found.stream().filter(f -> !inContext.contains(f.memory().id())).limit(RELEVANT_LIMIT).toList();
  }

  private Future<ChatAnswer> answer(Chat req, Scope session, List<Memory> recent, List<ScoredMemory> relevant,
      float[] vector) {
    StringBuilder context = new StringBuilder();
    for (ScoredMemory f : relevant) {
      Memory m = f.memory();
      context.append("- [").append(Times.iso(m.createdAt())).append(", ")
          .append(m.role() == null ? "memory" : m.role()).append("] ").append(m.text()).append('\n');
    }
    List<Message> messages = new ArrayList<>();
    messages.add(MemoryInference.message(Message.SYSTEM, MemoryPrompts.CHAT_SYSTEM.replace("{{memories}}",
        relevant.isEmpty() ? "(none)" : context.toString().strip())));
    for (Memory m : recent) {
      messages.add(MemoryInference.message(Message.ASSISTANT.equals(m.role()) ? Message.ASSISTANT : Message.USER,
          m.text()));
    }
    messages.add(MemoryInference.message(Message.USER, req.message()));
    Future<String> answered = inference.ask(settings.get(), messages, false).compose(reply -> {
      String text = reply == null ? "" : reply.strip();
      return text.isEmpty() ? Future.failedFuture(LlmJson.malformed("chat answer", "it was empty"))
          : Future.succeededFuture(text);
    });
    return answered.compose(
        text -> embedder.embed(text).compose(v -> save(req, session, Message.USER, req.message(), vector)
                .compose(userId -> save(req, session, Message.ASSISTANT, text, v)))
            .map(id -> new ChatAnswer(text, req.sessionId(), relevant.size() + recent.size())),
        failure -> tooLong(failure) ? Future.failedFuture(failure) : save(req, session, Message.USER,
            req.message(), vector).transform(saved -> Future.<ChatAnswer>failedFuture(failure)));
  }

  /** The model refused the prompt as longer than its context window (see {@link MemoryInference#ask}). */
  private static boolean tooLong(Throwable failure) {
    return failure instanceof ApiException e && e.kind() == ErrorKind.UNPROCESSABLE;
  }

  private Future<String> save(Chat req, Scope session, String role, String text, float[] vector) {
    String id = UUID.randomUUID().toString();
    var memory = new NewMemory(id, text, vector, Map.of("session_id", req.sessionId()), null, role, null,
        req.sessionId(), null, Provenance.chat(req.sessionId(), Times.now()));
    return store.apply(req.userId(), session, embeddingModel, false, List.of(Change.add(memory))).map(id);
  }
}
