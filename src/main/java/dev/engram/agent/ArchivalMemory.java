package dev.engram.agent;

import dev.engram.embed.Chunker;
import dev.engram.embed.EmbedClient;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.index.RankFusion;
import dev.engram.index.RankFusion.Fused;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Times;
import dev.engram.model.Passage;
import dev.engram.model.Provenance;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.NewPassage;
import dev.engram.store.ArchivalProtocol.PassageFilter;
import dev.engram.store.MemoryClient;
import dev.engram.store.MemoryProtocol.Applied;
import dev.engram.store.MemoryProtocol.Change;
import dev.engram.store.MemoryProtocol.NewMemory;
import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryProtocol.ScopeAttachment;
import dev.engram.store.MemoryProtocol.ScoredMemory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An agent's archival memory as the step loop and the API use it: text is chunked, embedded and stored (one passage
 * per chunk); searches embed the query and rank the agent's passages and those of its attached sources, and the
 * memories of the Mem0 scopes attached to it. An agent's own inserts go to the attached scope that takes them, when
 * one does.
 */
public final class ArchivalMemory {
  /** How many best passages a search considers; tools page through them. */
  public static final int SEARCH_DEPTH = 100;
  /** Reciprocal rank fusion's usual constant: how much the top ranks of passages and memories weigh over the rest. */
  static final int FUSION_K = 60;

  /** Longer texts are chunked on a worker rather than on the caller's event loop. */
  private static final int INLINE_CHUNKING_CHARS = 4_000;

  private final Vertx vertx;
  private final EmbedClient embedder;
  private final ArchivalClient store;
  private final MemoryClient memories;
  private final Chunker chunker;
  private final String embeddingModel;

  public ArchivalMemory(Vertx vertx, EmbedClient embedder, ArchivalClient store, MemoryClient memories,
      Chunker chunker, String embeddingModel) {
    this.vertx = vertx;
    this.embedder = embedder;
    this.store = store;
    this.memories = memories;
    this.chunker = chunker;
    this.embeddingModel = embeddingModel;
  }

  /** Stores {@code text} as one passage per chunk and answers their ids, in text order. */
  public Future<List<String>> insert(String userId, String agentId, String text, Map<String, Object> metadata) {
    return insert(userId, agentId, text, metadata, List.of(), null)
        .map(stored -> stored.stream().map(Passage::id).toList());
  }

  /**
   * Stores {@code text} as one passage per chunk, each with {@code tags} and created at {@code createdAt} (null:
   * now), and answers the passages stored, in text order.
   */
  public Future<List<Passage>> insert(String userId, String agentId, String text, Map<String, Object> metadata,
      List<String> tags, Instant createdAt) {
    return embedded(text).compose(chunks -> {
      List<NewPassage> passages = new ArrayList<>(chunks.texts().size());
      for (int i = 0; i < chunks.texts().size(); i++) {
        passages.add(new NewPassage(UUID.randomUUID().toString(), chunks.texts().get(i), chunks.vectors().get(i),
            metadata));
      }
      return store.insert(userId, agentId, embeddingModel, passages, tags, createdAt);
    });
  }

  /** What an agent's own insert stored: passage ids, or memory ids of {@code scope} when the scope took it. */
  public record Inserted(List<String> ids, Scope scope) {}

  /**
   * The agent's own insert (its archival_memory_insert): one memory per chunk in the attached scope that takes the
   * agent's inserts, each naming the agent as its provenance; without such a scope, passages as {@link #insert}.
   */
  public Future<Inserted> insertByAgent(String userId, String agentId, String text) {
    return memories.scopesOf(userId, agentId).compose(attached -> {
      Scope target = attached.stream().filter(ScopeAttachment::archivalInserts).map(ScopeAttachment::scope)
          .findFirst().orElse(null);
      if (target == null) {
        return insert(userId, agentId, text, Map.of()).map(ids -> new Inserted(ids, null));
      }
      Map<String, Object> provenance = Provenance.agent(agentId, Times.now());
      return embedded(text).compose(chunks -> {
        List<Change> changes = new ArrayList<>(chunks.texts().size());
        for (int i = 0; i < chunks.texts().size(); i++) {
          changes.add(Change.add(new NewMemory(UUID.randomUUID().toString(), chunks.texts().get(i),
              chunks.vectors().get(i), Map.of(), null, null, null, null, null, provenance)));
        }
        return memories.apply(userId, target, embeddingModel, false, changes);
      }).map(applied -> new Inserted(applied.stream().map(Applied::id).toList(), target));
    });
  }

  private record Chunks(List<String> texts, List<float[]> vectors) {}

  private Future<Chunks> embedded(String text) {
    if (text == null || text.isBlank()) {
      return Future.failedFuture(ApiException.unprocessable("content must not be empty"));
    }
    Future<List<String>> split = text.length() <= INLINE_CHUNKING_CHARS
        ? Future.succeededFuture(chunker.split(text)) : vertx.executeBlocking(() -> chunker.split(text), false);
    return split.compose(chunks -> embedder.embed(chunks).map(vectors -> new Chunks(chunks, vectors)));
  }

  /** The best passages and memories for {@code query}, best first, each with its score. */
  public Future<List<ArchivalHit>> search(String userId, String agentId, String query, SearchMode mode, int limit) {
    return search(userId, agentId, query, mode, limit, PassageFilter.NONE);
  }

  /**
   * The best passages for {@code query} that pass {@code filter}, best first, each with its score; with Mem0 scopes
   * attached, also the scopes' best memories (the facts that hold now; none when the filter asks for tags, which
   * memories do not have). Passages (ranked in {@code mode}) and memories (ranked as Mem0 search ranks them: hybrid,
   * or by similarity alone in VECTOR mode; scored by similarity) are scored on different scales, so the two rankings
   * are merged by reciprocal rank fusion; each hit keeps its own score.
   */
  public Future<List<ArchivalHit>> search(String userId, String agentId, String query, SearchMode mode, int limit,
      PassageFilter filter) {
    if (query == null || query.isBlank()) {
      return Future.failedFuture(ApiException.unprocessable("query must not be empty"));
    }
    return memories.scopesOf(userId, agentId).compose(attached -> {
      boolean withMemories = !attached.isEmpty() && filter.tags().isEmpty();
      Future<float[]> vector = mode == SearchMode.TEXT && !withMemories
          ? Future.succeededFuture(null) : embedder.embed(query);
      return vector.compose(v -> {
        Future<List<ArchivalHit>> passages = store.search(userId, agentId, query, mode == SearchMode.TEXT ? null : v,
            mode, limit, filter).map(found -> found.stream().map(f -> new ArchivalHit(f.passage(), null, f.score()))
            .toList());
        if (!withMemories) {
          return passages;
        }
        Future<List<ArchivalHit>> scoped = scopedMemories(userId, attached, mode == SearchMode.VECTOR ? null : query,
            v, limit, filter);
        return Future.all(passages, scoped).map(both -> fused(passages.result(), scoped.result(), limit));
      });
    });
  }

  /** The attached scopes' best current memories within the filter's dates, best first, each memory once. */
  private Future<List<ArchivalHit>> scopedMemories(String userId, List<ScopeAttachment> attached, String text,
      float[] vector, int limit, PassageFilter filter) {
    List<Future<List<ScoredMemory>>> searches = attached.stream()
        .map(a -> memories.search(userId, a.scope(), text, vector, null, limit, null)).toList();
    return Future.all(searches).map(done -> {
      Map<String, ScoredMemory> best = new LinkedHashMap<>();
      for (Future<List<ScoredMemory>> f : searches) {
        for (ScoredMemory m : f.result()) {
          Instant at = m.memory().createdAt();
          boolean inDates = (filter.from() == null || !at.isBefore(filter.from()))
              && (filter.to() == null || !at.isAfter(filter.to()));
          if (inDates) {
            best.merge(m.memory().id(), m, (a, b) -> a.score() >= b.score() ? a : b);
          }
        }
      }
      return best.values().stream().sorted(Comparator.comparingDouble(ScoredMemory::score).reversed()).limit(limit)
          .map(m -> new ArchivalHit(null, m.memory(), m.score())).toList();
    });
  }

  private static List<ArchivalHit> fused(List<ArchivalHit> passages, List<ArchivalHit> scoped, int limit) {
    if (scoped.isEmpty()) {
      return passages;
    }
    return RankFusion.fuse(FUSION_K, limit, passages, scoped).stream().map(Fused::item).toList();
  }

  public Future<Long> count(String userId, String agentId) {
    return store.count(userId, agentId);
  }
}
