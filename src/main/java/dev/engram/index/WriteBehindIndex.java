package dev.engram.index;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An index whose {@link #add adds} (of new rows) are acknowledged at once and written behind, in batches: adds that
 * arrive while one is being written are queued and written together next. Every other operation first waits for the
 * queued and running writes it could observe: a search for those of its owners, a delete of an owner for that
 * owner's, everything else (upserts too) for all. So, as seen from its callers, a search still sees every add
 * acknowledged before it started, while a save does not wait for the index. A failed write is logged, not reported
 * (the rows are in PostgreSQL, and the index is caught up from them at the next start). Adds wait too once
 * {@link #MAX_QUEUED} entries are queued.
 * Thread-safe; in the server only the persistence verticle's event loop calls it (for the recall index).
 */
public final class WriteBehindIndex implements PassageIndex {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindIndex.class);
  static final int MAX_QUEUED = 20_000;

  private final PassageIndex index;
  private List<IndexedPassage> queued = new ArrayList<>();
  private Set<UUID> queuedOwners = new HashSet<>();
  /** Completes when the queued entries are written (or failed to be). */
  private Promise<Void> queuedWritten = Promise.promise();
  private Set<UUID> runningOwners = Set.of();
  /** Completes when the running write is done (never fails); null when none runs. */
  private Future<Void> running;

  public WriteBehindIndex(PassageIndex index) {
    this.index = index;
  }

  @Override
  public Future<Void> upsert(List<IndexedPassage> passages) {
    return settled(null).compose(v -> index.upsert(passages));
  }

  @Override
  public Future<Void> add(List<IndexedPassage> passages) {
    if (passages.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<Void> written;
    boolean full;
    boolean start;
    synchronized (this) {
      queued.addAll(passages);
      for (IndexedPassage p : passages) {
        queuedOwners.add(p.ownerId());
      }
      written = queuedWritten.future();
      full = queued.size() >= MAX_QUEUED;
      start = running == null;
      if (start) {
        running = Promise.<Void>promise().future(); // taken: the write below starts it
      }
    }
    if (start) {
      writeQueued();
    }
    return full ? written : Future.succeededFuture();
  }

  /** Writes what is queued; the caller has marked a write as running. */
  private void writeQueued() {
    List<IndexedPassage> batch;
    Promise<Void> done;
    synchronized (this) {
      batch = queued;
      done = queuedWritten;
      runningOwners = queuedOwners;
      running = done.future();
      queued = new ArrayList<>();
      queuedOwners = new HashSet<>();
      queuedWritten = Promise.promise();
    }
    Future<Void> write;
    try {
      write = index.add(batch);
    } catch (RuntimeException e) {
      write = Future.failedFuture(e);
    }
    write.onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("recall index write of {} entries failed (the index is caught up from the database at the next"
            + " start)", batch.size(), ar.cause());
      }
      boolean more;
      synchronized (this) {
        more = !queued.isEmpty();
        if (!more) {
          running = null;
          runningOwners = Set.of();
        }
      }
      done.complete();
      if (more) {
        writeQueued();
      }
    });
  }

  /** Completes once every write touching one of {@code owners} (null: any) that is queued or running is done. */
  private synchronized Future<Void> settled(Collection<UUID> owners) {
    if (!queued.isEmpty() && (owners == null || intersects(queuedOwners, owners))) {
      return queuedWritten.future(); // written after the running one
    }
    if (running != null && (owners == null || intersects(runningOwners, owners))) {
      return running;
    }
    return Future.succeededFuture();
  }

  private static boolean intersects(Set<UUID> pending, Collection<UUID> owners) {
    for (UUID owner : owners) {
      if (pending.contains(owner)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Future<List<ScoredPassage>> search(PassageQuery query) {
    return settled(query.owners()).compose(v -> index.search(query));
  }

  @Override
  public Future<Void> delete(Collection<UUID> ids) {
    return settled(null).compose(v -> index.delete(ids));
  }

  @Override
  public Future<Void> delete(UUID userId, Collection<UUID> ids) {
    return settled(null).compose(v -> index.delete(userId, ids));
  }

  @Override
  public Future<Void> deleteOwner(UUID userId, UUID ownerId) {
    return settled(List.of(ownerId)).compose(v -> index.deleteOwner(userId, ownerId));
  }

  @Override
  public Future<Void> deleteUser(UUID userId) {
    return settled(null).compose(v -> index.deleteUser(userId));
  }

  @Override
  public Future<IndexStats> stats() {
    return settled(null).compose(v -> index.stats());
  }

  @Override
  public Future<Void> flush() {
    return settled(null).compose(v -> index.flush());
  }

  @Override
  public Future<Void> clear() {
    return settled(null).compose(v -> index.clear());
  }

  @Override
  public void close() {
    index.close();
  }
}
