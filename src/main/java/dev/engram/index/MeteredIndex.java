package dev.engram.index;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** An index whose searches are timed ({@code engram_index_search_seconds{index}}); everything else passes through. */
public final class MeteredIndex implements PassageIndex {
  private final PassageIndex index;
  private final Timer searches;

  public MeteredIndex(PassageIndex index, Timer searches) {
    this.index = index;
    this.searches = searches;
  }

  @Override
  public Future<List<ScoredPassage>> search(PassageQuery query) {
    long start = System.nanoTime();
    return index.search(query).andThen(ar -> searches.record(System.nanoTime() - start,
        java.util.concurrent.TimeUnit.NANOSECONDS));
  }

  @Override
  public Future<Void> upsert(List<IndexedPassage> passages) {
    return index.upsert(passages);
  }

  @Override
  public Future<Void> add(List<IndexedPassage> passages) {
    return index.add(passages);
  }

  @Override
  public Future<Void> delete(Collection<UUID> ids) {
    return index.delete(ids);
  }

  @Override
  public Future<Void> delete(UUID userId, Collection<UUID> ids) {
    return index.delete(userId, ids);
  }

  @Override
  public Future<Void> deleteOwner(UUID userId, UUID ownerId) {
    return index.deleteOwner(userId, ownerId);
  }

  @Override
  public Future<Void> deleteUser(UUID userId) {
    return index.deleteUser(userId);
  }

  @Override
  public Future<IndexStats> stats() {
    return index.stats();
  }

  @Override
  public Future<Void> flush() {
    return index.flush();
  }

  @Override
  public Future<Void> clear() {
    return index.clear();
  }

  @Override
  public void close() {
    index.close();
  }
}
