package dev.engram.agent;

import dev.engram.embed.Chunker;
import dev.engram.embed.EmbedClient;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.kernel.ApiException;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.Found;
import dev.engram.store.ArchivalProtocol.NewPassage;
import dev.engram.store.ArchivalProtocol.PassageFilter;
import dev.engram.model.Passage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An agent's archival memory as the step loop and the API use it: text is chunked, embedded and stored (one passage
 * per chunk); searches embed the query and rank the agent's passages and those of its attached sources.
 */
public final class ArchivalMemory {
  /** How many best passages a search considers; tools page through them. */
  public static final int SEARCH_DEPTH = 100;

  /** Longer texts are chunked on a worker rather than on the caller's event loop. */
  private static final int INLINE_CHUNKING_CHARS = 4_000;

  private final Vertx vertx;
  private final EmbedClient embedder;
  private final ArchivalClient store;
  private final Chunker chunker;
  private final String embeddingModel;

  public ArchivalMemory(Vertx vertx, EmbedClient embedder, ArchivalClient store, Chunker chunker, String embeddingModel) {
    this.vertx = vertx;
    this.embedder = embedder;
    this.store = store;
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
    if (text == null || text.isBlank()) {
      return Future.failedFuture(ApiException.unprocessable("content must not be empty"));
    }
    Future<List<String>> split = text.length() <= INLINE_CHUNKING_CHARS
        ? Future.succeededFuture(chunker.split(text)) : vertx.executeBlocking(() -> chunker.split(text), false);
    return split.compose(chunks -> embedder.embed(chunks).compose(vectors -> {
      List<NewPassage> passages = new ArrayList<>(chunks.size());
      for (int i = 0; i < chunks.size(); i++) {
        passages.add(new NewPassage(UUID.randomUUID().toString(), chunks.get(i), vectors.get(i), metadata));
      }
      return store.insert(userId, agentId, embeddingModel, passages, tags, createdAt);
    }));
  }

  /** The best passages for {@code query}, best first, each with its score. */
  public Future<List<Found>> search(String userId, String agentId, String query, SearchMode mode, int limit) {
    return search(userId, agentId, query, mode, limit, PassageFilter.NONE);
  }

  /** The best passages for {@code query} that pass {@code filter}, best first, each with its score. */
  public Future<List<Found>> search(String userId, String agentId, String query, SearchMode mode, int limit,
      PassageFilter filter) {
    if (query == null || query.isBlank()) {
      return Future.failedFuture(ApiException.unprocessable("query must not be empty"));
    }
    Future<float[]> vector = mode == SearchMode.TEXT ? Future.succeededFuture(null) : embedder.embed(query);
    return vector.compose(v -> store.search(userId, agentId, query, v, mode, limit, filter));
  }

  public Future<Long> count(String userId, String agentId) {
    return store.count(userId, agentId);
  }
}
