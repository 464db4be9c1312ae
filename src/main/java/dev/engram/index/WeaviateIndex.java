package dev.engram.index;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.weaviate.client6.v1.api.WeaviateApiException;
import io.weaviate.client6.v1.api.WeaviateClient;
import io.weaviate.client6.v1.api.WeaviateException;
import io.weaviate.client6.v1.api.collections.CollectionHandle;
import io.weaviate.client6.v1.api.collections.Property;
import io.weaviate.client6.v1.api.collections.Tokenization;
import io.weaviate.client6.v1.api.collections.VectorConfig;
import io.weaviate.client6.v1.api.collections.Vectors;
import io.weaviate.client6.v1.api.collections.WeaviateObject;
import io.weaviate.client6.v1.api.collections.aggregate.Aggregate;
import io.weaviate.client6.v1.api.collections.query.Filter;
import io.weaviate.client6.v1.api.collections.vectorindex.Distance;
import io.weaviate.client6.v1.api.collections.vectorindex.Hnsw;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * A {@link PassageIndex} in a Weaviate server (1.32 or newer): one collection ({@code WEAVIATE_COLLECTION}) with
 * self-provided vectors (HNSW, cosine distance), one tenant per user (tenant name = user id, created on first
 * insert), object uuid = passage id, properties {@code seq}, {@code owner_id} (exact-match) and {@code text} (BM25).
 * Scores mean the same as in {@link LuceneIndex}: VECTOR the cosine similarity ({@code 1 - distance}), TEXT
 * Weaviate's BM25 score, HYBRID the relative score fusion computed here over the BM25 and vector rankings (each
 * {@code max(limit, 50)} deep, rescaled to 0..1 and weighted 0.7 text, 0.3 vector as in {@link LuceneTuning#DEFAULTS};
 * no neighbour context). The blocking client runs on a worker pool and is created on first use, so an unreachable
 * server fails the calls (503), not the start-up.
 */
public final class WeaviateIndex implements PassageIndex {
  static final String SEQ = "seq";
  static final String OWNER = "owner_id";
  static final String TEXT = "text";
  private static final int BATCH = 500;
  private static final int HYBRID_DEPTH = 50;
  private static final double TEXT_WEIGHT = LuceneTuning.DEFAULTS.textWeight();

  private final IndexSettings settings;
  private final String collection;
  private final WorkerExecutor workers;
  private volatile WeaviateClient client;
  private volatile boolean collectionReady;

  public WeaviateIndex(Vertx vertx, IndexSettings settings) {
    this.settings = settings;
    this.collection = settings.weaviateCollection() == null ? "EngramPassage" : settings.weaviateCollection();
    this.workers = vertx.createSharedWorkerExecutor("engram-weaviate", 4);
  }

  @Override
  public Future<Void> upsert(List<IndexedPassage> passages) {
    return run(() -> {
      Map<UUID, List<IndexedPassage>> byUser = passages.stream()
          .collect(Collectors.groupingBy(IndexedPassage::userId, LinkedHashMap::new, Collectors.toList()));
      for (var entry : byUser.entrySet()) {
        var tenant = tenant(entry.getKey());
        var list = entry.getValue();
        for (int from = 0; from < list.size(); from += BATCH) {
          var objects = new ArrayList<WeaviateObject<Map<String, Object>>>();
          for (IndexedPassage p : list.subList(from, Math.min(list.size(), from + BATCH))) {
            Map<String, Object> props = Map.of(SEQ, p.seq(), OWNER, p.ownerId().toString(), TEXT,
                p.text() == null ? "" : p.text());
            objects.add(WeaviateObject.<Map<String, Object>>of(p.vector() == null
                ? b -> b.uuid(p.id().toString()).properties(props)
                : b -> b.uuid(p.id().toString()).properties(props).vectors(Vectors.of(p.vector()))));
          }
          var response = tenant.data.insertMany(objects);
          if (!response.errors().isEmpty()) {
            throw new ApiException(ErrorKind.UPSTREAM, "Weaviate refused passages: " + response.errors().get(0));
          }
        }
      }
      return null;
    });
  }

  @Override
  public Future<Void> delete(Collection<UUID> ids) {
    return run(() -> {
      if (ids.isEmpty() || !collectionExists()) {
        return null;
      }
      for (var t : handle().tenants.list()) {
        deleteIn(handle().withTenant(t.name()), ids);
      }
      return null;
    });
  }

  @Override
  public Future<Void> delete(UUID userId, Collection<UUID> ids) {
    return run(() -> {
      if (!ids.isEmpty() && collectionExists()) {
        deleteIn(tenant(userId), ids);
      }
      return null;
    });
  }

  @Override
  public Future<Void> deleteOwner(UUID userId, UUID ownerId) {
    return run(() -> {
      if (collectionExists()) {
        ignoreMissingTenant(() -> tenant(userId).data.deleteMany(Filter.property(OWNER).eq(ownerId.toString())));
      }
      return null;
    });
  }

  @Override
  public Future<Void> deleteUser(UUID userId) {
    return run(() -> {
      if (collectionExists()) {
        ignoreMissingTenant(() -> tenant(userId).data.deleteMany(Filter.property(SEQ).gte(0L)));
      }
      return null;
    });
  }

  @Override
  public Future<List<ScoredPassage>> search(PassageQuery q) {
    return run(() -> {
      if (q.limit() <= 0 || q.owners() == null || q.owners().isEmpty() || !collectionExists()) {
        QueryModes.effective(q);
        return List.<ScoredPassage>of();
      }
      var found = ignoreMissingTenant(
          () -> new WeaviateSearch(tenant(q.userId()), HYBRID_DEPTH, TEXT_WEIGHT).search(q));
      return found == null ? List.<ScoredPassage>of() : found;
    });
  }

  @Override
  public Future<IndexStats> stats() {
    return run(() -> {
      if (!collectionExists()) {
        return new IndexStats(0, -1);
      }
      long count = 0;
      long maxSeq = -1;
      for (var t : handle().tenants.list()) {
        var agg = handle().withTenant(t.name()).aggregate
            .overAll(a -> a.includeTotalCount(true).metrics(Aggregate.integer(SEQ, i -> i.max())));
        long n = agg.totalCount() == null ? 0 : agg.totalCount();
        count += n;
        Long max = n > 0 ? agg.integer(SEQ).max() : null;
        if (max != null) {
          maxSeq = Math.max(maxSeq, max);
        }
      }
      return new IndexStats(count, maxSeq);
    });
  }

  /** Weaviate persists every acknowledged write itself. */
  @Override
  public Future<Void> flush() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> clear() {
    return run(() -> {
      if (client().collections.exists(collection)) {
        client().collections.delete(collection);
      }
      collectionReady = false;
      return null;
    });
  }

  @Override
  public synchronized void close() {
    workers.close();
    if (client != null) {
      try {
        client.close();
      } catch (Exception e) {
        // closing a client that lost its server: nothing left to release
      }
      client = null;
    }
  }

  private void deleteIn(CollectionHandle<Map<String, Object>> tenant, Collection<UUID> ids) throws Exception {
    var all = ids.stream().map(UUID::toString).toList();
    for (int from = 0; from < all.size(); from += BATCH) {
      var chunk = all.subList(from, Math.min(all.size(), from + BATCH)).toArray(String[]::new);
      ignoreMissingTenant(() -> tenant.data.deleteMany(chunk));
    }
  }

  private CollectionHandle<Map<String, Object>> handle() throws Exception {
    return client().collections.use(collection);
  }

  private CollectionHandle<Map<String, Object>> tenant(UUID userId) throws Exception {
    ensureCollection();
    return handle().withTenant(userId.toString());
  }

  private boolean collectionExists() throws Exception {
    return collectionReady || client().collections.exists(collection);
  }

  private synchronized void ensureCollection() throws Exception {
    if (collectionReady) {
      return;
    }
    if (!client().collections.exists(collection)) {
      client().collections.create(collection, c -> c
          .properties(Property.integer(SEQ), Property.text(OWNER, p -> p.tokenization(Tokenization.FIELD)),
              Property.text(TEXT, p -> p.tokenization(Tokenization.WORD)))
          .vectorConfig(VectorConfig.selfProvided(v -> v.vectorIndex(Hnsw.of(h -> h.distance(Distance.COSINE)))))
          .multiTenancy(mt -> mt.enabled(true).autoTenantCreation(true).autoTenantActivation(true)));
    }
    collectionReady = true;
  }

  private synchronized WeaviateClient client() {
    if (client == null) {
      client = WeaviateConnection.connect(settings);
    }
    return client;
  }

  /** Runs a call that names a tenant; a tenant that does not exist yet has nothing in it (null result). */
  private static <T> T ignoreMissingTenant(Callable<T> call) throws Exception {
    try {
      return call.call();
    } catch (WeaviateApiException e) {
      String m = String.valueOf(e.getMessage()).toLowerCase();
      if (m.contains("tenant") && (m.contains("not found") || m.contains("does not exist"))) {
        return null;
      }
      throw e;
    }
  }

  private <T> Future<T> run(Callable<T> work) {
    return workers.executeBlocking(() -> {
      try {
        return work.call();
      } catch (ApiException e) {
        throw e;
      } catch (WeaviateException | IOException e) {
        throw new ApiException(ErrorKind.UNAVAILABLE, "vector index (Weaviate) failed: " + e.getMessage());
      }
    }, false);
  }
}
