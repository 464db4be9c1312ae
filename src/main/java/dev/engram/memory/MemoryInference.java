package dev.engram.memory;

import dev.engram.llm.LlmClient;
import dev.engram.llm.LlmException;
import dev.engram.llm.LlmRequest;
import dev.engram.embed.EmbedClient;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.memory.Decisions.Decision;
import dev.engram.memory.MemoryRequests.AddMemories;
import dev.engram.memory.MemoryRequests.Turn;
import dev.engram.model.Message;
import dev.engram.model.Provenance;
import dev.engram.store.MemoryClient;
import dev.engram.store.MemoryProtocol.Applied;
import dev.engram.store.MemoryProtocol.Change;
import dev.engram.store.MemoryProtocol.NewMemory;
import dev.engram.store.MemoryProtocol.ScoredMemory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Mem0's add. With inference: one LLM call extracts facts, each fact's nearest memories in the scope are fetched, a
 * second call decides ADD/UPDATE/DELETE/NONE against them (shown under small integer ids), and the decisions are
 * applied in one transaction with their history rows. Without inference each message is stored as it is. Procedural
 * memory stores one LLM-written summary of the conversation.
 */
public final class MemoryInference {
  public static final String PROCEDURAL = "procedural_memory";
  static final int NEIGHBOURS_PER_FACT = 5;
  private static final JsonObject JSON_MODE = new JsonObject().put("type", "json_object");

  private final LlmClient llm;
  private final EmbedClient embedder;
  private final MemoryClient store;
  private final Supplier<MemorySettings> settings;
  private final String embeddingModel;

  public MemoryInference(LlmClient llm, EmbedClient embedder, MemoryClient store, Supplier<MemorySettings> settings,
      String embeddingModel) {
    this.llm = llm;
    this.embedder = embedder;
    this.store = store;
    this.settings = settings;
    this.embeddingModel = embeddingModel;
  }

  public Future<List<Applied>> add(AddMemories req) {
    if (PROCEDURAL.equals(req.memoryType())) {
      return procedural(req);
    }
    return req.infer() ? infer(req) : verbatim(req);
  }

  /** Each non-system message becomes a memory as it is (role and speaker kept); no LLM call, no deduplication. */
  private Future<List<Applied>> verbatim(AddMemories req) {
    return asWritten(req).compose(memories -> memories.isEmpty() ? Future.succeededFuture(List.of())
        : store.apply(req.userId(), req.scope(), embeddingModel, false, memories.stream().map(Change::add).toList()));
  }

  /**
   * Each non-system, non-blank message of an add as a memory of its own text, embedded, with its role and speaker,
   * and the message itself as its provenance: a verbatim add's memories, and an asynchronous add's raw messages.
   */
  Future<List<NewMemory>> asWritten(AddMemories req) {
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < req.messages().size(); i++) {
      Turn t = req.messages().get(i);
      if (!Message.SYSTEM.equals(t.role()) && t.content() != null && !t.content().isBlank()) {
        kept.add(i);
      }
    }
    if (kept.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Map<String, Object>> sent = provenanceMessages(req.messages());
    Instant received = Times.now();
    return embedder.embed(kept.stream().map(i -> req.messages().get(i).content()).toList()).map(vectors -> {
      List<NewMemory> memories = new ArrayList<>(kept.size());
      for (int k = 0; k < kept.size(); k++) {
        int index = kept.get(k);
        Turn t = req.messages().get(index);
        memories.add(new NewMemory(UUID.randomUUID().toString(), t.content(), vectors.get(k), req.metadata(),
            t.name(), t.role(), null, null, req.expirationDate(),
            Provenance.add(List.of(sent.get(index)), index, received)));
      }
      return memories;
    });
  }

  private Future<List<Applied>> infer(AddMemories req) {
    return changes(req).compose(changes -> changes.isEmpty() ? Future.succeededFuture(List.of())
        : store.apply(req.userId(), req.scope(), embeddingModel, true, changes));
  }

  /**
   * What an add with inference would change, decided but not applied: the facts extracted from the messages and the
   * model's decisions on them against the scope's current memories (raw messages of asynchronous adds not counted:
   * they are not facts yet). An asynchronous add applies them when it settles.
   */
  public Future<List<Change>> changes(AddMemories req) {
    MemorySettings s = settings.get();
    boolean agentFacts = req.scope().agent() != null
        && req.messages().stream().anyMatch(t -> Message.ASSISTANT.equals(t.role()));
    String system = s.factExtractionPrompt() != null ? s.factExtractionPrompt()
        : MemoryPrompts.dated(agentFacts ? MemoryPrompts.EXTRACT_AGENT : MemoryPrompts.EXTRACT_USER);
    String input = "Input:\n" + transcript(req.messages());
    Map<String, Object> provenance = Provenance.add(provenanceMessages(req.messages()), null, Times.now());
    return ask(s, List.of(message(Message.SYSTEM, jsonWord(system)), message(Message.USER, input)), true)
        .map(answer -> Decisions.facts(LlmJson.object(answer, "fact extraction")))
        .compose(facts -> facts.isEmpty() ? Future.succeededFuture(List.of())
            : reconcile(req, s, facts, provenance));
  }

  private Future<List<Change>> reconcile(AddMemories req, MemorySettings s, List<String> facts,
      Map<String, Object> provenance) {
    return embedder.embed(facts).compose(vectors -> {
      Map<String, float[]> embedded = new HashMap<>();
      for (int i = 0; i < facts.size(); i++) {
        embedded.put(facts.get(i), vectors.get(i));
      }
      List<Future<List<ScoredMemory>>> searches = new ArrayList<>();
      for (float[] v : vectors) {
        // deeper than needed: raw messages of asynchronous adds are passed over below
        searches.add(store.search(req.userId(), req.scope(), null, v, null, 2 * NEIGHBOURS_PER_FACT, null));
      }
      return Future.all(searches).compose(all -> {
        Map<String, String> shown = new LinkedHashMap<>();
        Map<String, String> shownText = new HashMap<>();
        JsonArray existing = new JsonArray();
        for (int i = 0; i < searches.size(); i++) {
          List<ScoredMemory> neighbours = searches.get(i).result().stream()
              .filter(hit -> hit.memory().pendingEvent() == null).limit(NEIGHBOURS_PER_FACT).toList();
          for (ScoredMemory hit : neighbours) {
            String real = hit.memory().id();
            if (!shownText.containsKey(real)) {
              String small = Integer.toString(shown.size());
              shown.put(small, real);
              shownText.put(real, hit.memory().text());
              existing.add(new JsonObject().put("id", small).put("text", hit.memory().text()));
            }
          }
        }
        String prompt = (s.updateMemoryPrompt() != null ? s.updateMemoryPrompt() : MemoryPrompts.DECIDE)
            + "\n\nExisting memories:\n" + (existing.isEmpty() ? "(none: the store is empty)" : existing.encode())
            + "\n\nNew facts:\n" + new JsonArray(facts).encode();
        return ask(s, List.of(message(Message.USER, jsonWord(prompt))), true)
            .map(answer -> Decisions.decisions(LlmJson.object(answer, "memory update decision"), shown, shownText))
            .compose(decisions -> decidedChanges(req, decisions, embedded, provenance));
      });
    });
  }

  private Future<List<Change>> decidedChanges(AddMemories req, List<Decision> decisions,
      Map<String, float[]> embedded, Map<String, Object> provenance) {
    List<String> missing = decisions.stream().filter(d -> d.text() != null && !embedded.containsKey(d.text()))
        .map(Decision::text).distinct().toList();
    Future<List<float[]>> extra = missing.isEmpty() ? Future.succeededFuture(List.of()) : embedder.embed(missing);
    return extra.compose(vectors -> {
      for (int i = 0; i < missing.size(); i++) {
        embedded.put(missing.get(i), vectors.get(i));
      }
      List<Change> changes = new ArrayList<>(decisions.size());
      for (Decision d : decisions) {
        switch (d.event()) {
          case Change.ADD -> changes.add(Change.add(new NewMemory(UUID.randomUUID().toString(), d.text(),
              embedded.get(d.text()), req.metadata(), null, null, null, null, req.expirationDate(), provenance)));
          case Change.UPDATE -> changes.add(Change.update(d.memoryId(), d.text(), embedded.get(d.text()),
              provenance));
          default -> changes.add(Change.delete(d.memoryId()));
        }
      }
      return Future.succeededFuture(changes);
    });
  }

  /** One memory summarising what the agent did, tagged {@code memory_type: procedural_memory}. */
  private Future<List<Applied>> procedural(AddMemories req) {
    MemorySettings s = settings.get();
    List<Message> messages = new ArrayList<>();
    String prompt = req.prompt();
    messages.add(message(Message.SYSTEM, prompt != null && !prompt.isBlank() ? prompt : MemoryPrompts.PROCEDURAL));
    for (Turn t : req.messages()) {
      if (!Message.SYSTEM.equals(t.role())) {
        messages.add(message(Message.ASSISTANT.equals(t.role()) ? Message.ASSISTANT : Message.USER, t.content()));
      }
    }
    messages.add(message(Message.USER, MemoryPrompts.PROCEDURAL_REQUEST));
    Instant received = Times.now();
    return ask(s, messages, false).compose(summary -> {
      if (summary == null || summary.isBlank()) {
        return Future.failedFuture(LlmJson.malformed("procedural summary", "it was empty"));
      }
      Map<String, Object> metadata = new HashMap<>(req.metadata() == null ? Map.of() : req.metadata());
      metadata.put("memory_type", PROCEDURAL);
      String text = summary.strip();
      Map<String, Object> provenance = Provenance.add(provenanceMessages(req.messages()), null, received);
      return embedder.embed(text).compose(vector -> store.apply(req.userId(), req.scope(), embeddingModel, false,
          List.of(Change.add(new NewMemory(UUID.randomUUID().toString(), text, vector, metadata, null, null,
              PROCEDURAL, null, req.expirationDate(), provenance)))));
    });
  }

  /**
   * The model's answer text; LLM failures become 502 (or 504 on timeout) with the reason, and a prompt the model
   * cannot take (the caller's text is too long for its context window) 422: the request is at fault, not the model.
   */
  Future<String> ask(MemorySettings s, List<Message> messages, boolean json) {
    JsonObject options = new JsonObject().put("temperature", s.temperature()).put("max_tokens", s.maxTokens());
    if (json) {
      options.put("response_format", JSON_MODE);
    }
    return llm.complete(new LlmRequest(s.model(), messages, List.of(), null, options))
        .recover(e -> Future.failedFuture(e instanceof LlmException l ? failure(l) : e))
        .map(reply -> reply.content());
  }

  private static ApiException failure(LlmException e) {
    return switch (e.kind()) {
      case CONTEXT_OVERFLOW -> new ApiException(ErrorKind.UNPROCESSABLE, "The text is too long for the model's"
          + " context window; nothing was changed: " + e.getMessage());
      case TIMEOUT -> new ApiException(ErrorKind.TIMEOUT, "The LLM could not answer: " + e.getMessage());
      case UPSTREAM -> new ApiException(ErrorKind.UPSTREAM, "The LLM could not answer: " + e.getMessage());
    };
  }

  static Message message(String role, String text) {
    return new Message(null, null, null, role, text, null, List.of(), null, null, 0, Times.now());
  }

  /** The messages of an add as a memory's provenance names them: role, content and the speaker's name if given. */
  static List<Map<String, Object>> provenanceMessages(List<Turn> turns) {
    List<Map<String, Object>> out = new ArrayList<>(turns.size());
    for (Turn t : turns) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("role", t.role());
      m.put("content", t.content());
      if (t.name() != null) {
        m.put("name", t.name());
      }
      out.add(m);
    }
    return out;
  }

  /** The conversation as lines "role: content" (speaker names kept). */
  static String transcript(List<Turn> turns) {
    StringBuilder out = new StringBuilder();
    for (Turn t : turns) {
      out.append(t.role());
      if (t.name() != null) {
        out.append(" (").append(t.name()).append(')');
      }
      out.append(": ").append(t.content() == null ? "" : t.content()).append('\n');
    }
    return out.toString();
  }

  /** JSON mode of OpenAI-compatible endpoints needs the word "json" in the prompt; custom prompts may lack it. */
  private static String jsonWord(String prompt) {
    return prompt.toLowerCase(Locale.ROOT).contains("json") ? prompt
        : prompt + "\n\nAnswer with a valid JSON object only.";
  }
}
