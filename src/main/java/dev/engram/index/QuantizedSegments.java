package dev.engram.index;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;

/**
 * The {@link QuantizedVectors} of the index's segments, read at a segment's first scan (or, for a merged segment,
 * by the merge before the segment is searched: {@link #warm}) and dropped when Lucene closes the segment. Segments
 * are immutable, so a copy never goes stale: deletes are applied by the live documents of the searcher at hand.
 * The copies together stay within a budget of heap; a segment that does not fit is scanned from its stored floats.
 * Segments are read in parallel (a merge's warm-up of a large one does not hold up a search's read of a small one);
 * two readers of one segment share one read.
 */
final class QuantizedSegments {
  /**
   * The default budget: an eighth of the heap, about 2,000,000 vectors of 384 dimensions in a 6 GiB heap (1,300,000
   * with their four-bit codes too).
   */
  static final double HEAP_SHARE = 0.125;
  /** What the copies of all the process's indexes (archival, recall, memories) hold: they share one budget. */
  private static final AtomicLong HEAP_USED = new AtomicLong();

  private final long budget;
  private final AtomicLong used;
  /** Each segment's copy, or null (no vectors, or over the budget), or the read of it in progress. */
  private final Map<IndexReader.CacheKey, CompletableFuture<QuantizedVectors>> copies = new ConcurrentHashMap<>();
  /** The segments whose close drops their copy (one listener each, however often a read is retried). */
  private final Set<IndexReader.CacheKey> listening = ConcurrentHashMap.newKeySet();

  /** Copies within a budget of their own. */
  QuantizedSegments(long budget) {
    this(budget, new AtomicLong());
  }

  /** Copies that count their bytes in {@code used}, with every other instance given it, against {@code budget}. */
  QuantizedSegments(long budget, AtomicLong used) {
    this.budget = budget;
    this.used = used;
  }

  /** Copies within {@link #HEAP_SHARE} of the heap, a budget shared with every other index of the process. */
  static QuantizedSegments ofHeap() {
    return new QuantizedSegments((long) (Runtime.getRuntime().maxMemory() * HEAP_SHARE), HEAP_USED);
  }

  long budget() {
    return budget;
  }

  /** Bytes held by the copies now (of all the indexes sharing the budget). */
  long used() {
    return used.get();
  }

  /**
   * The copy of the segment's vectors of large owners, read now if it is not held yet (or waiting for the read another
   * thread started); null when the segment has none, when it does not fit the budget (tried again at the next call),
   * or when Lucene does not share the segment between readers (no core cache key).
   */
  QuantizedVectors of(LeafReader reader) throws IOException {
    IndexReader.CacheHelper helper = reader.getCoreCacheHelper();
    if (helper == null) {
      return null;
    }
    IndexReader.CacheKey key = helper.getKey();
    CompletableFuture<QuantizedVectors> held = copies.get(key); // every search asks for every segment: mostly held
    if (held != null) {
      return await(held);
    }
    var mine = new CompletableFuture<QuantizedVectors>();
    held = copies.putIfAbsent(key, mine);
    if (held != null) {
      return await(held);
    }
    if (listening.add(key)) {
      helper.addClosedListener(this::drop);
    }
    long reserved = QuantizedVectors.bytes(reader);
    if (used.addAndGet(reserved) > budget) {
      used.addAndGet(-reserved);
      copies.remove(key, mine);
      mine.complete(null);
      return null;
    }
    try {
      QuantizedVectors read = QuantizedVectors.read(reader);
      used.addAndGet((read == null ? 0 : read.bytes()) - reserved);
      mine.complete(read);
      return read;
    } catch (IOException | RuntimeException e) {
      used.addAndGet(-reserved);
      copies.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  /** Reads the copy of a segment a merge has just written, so that its first search does not wait for it. */
  void warm(LeafReader reader) throws IOException {
    of(reader);
  }

  /** The segment closed: its copy goes (a read still in progress is waited for, so that its bytes are counted). */
  private void drop(IndexReader.CacheKey key) {
    listening.remove(key);
    CompletableFuture<QuantizedVectors> copy = copies.remove(key);
    if (copy != null) {
      try {
        QuantizedVectors dropped = await(copy);
        if (dropped != null) {
          used.addAndGet(-dropped.bytes());
        }
      } catch (IOException e) {
        // the read failed: it counted nothing
      }
    }
  }

  private static QuantizedVectors await(CompletableFuture<QuantizedVectors> copy) throws IOException {
    try {
      return copy.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }
}
