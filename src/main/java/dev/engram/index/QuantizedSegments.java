package dev.engram.index;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;

/**
 * The {@link QuantizedVectors} of the index's segments, read at a segment's first scan (or, for a merged segment,
 * by the merge before the segment is searched: {@link #warm}) and dropped when Lucene closes the segment. Segments
 * are immutable, so a copy never goes stale: deletes are applied by the live documents of the searcher at hand.
 * The copies together stay within a budget of heap; a segment that does not fit is scanned from its stored floats.
 */
final class QuantizedSegments {
  /** The default budget: an eighth of the heap, about 2,000,000 vectors of 384 dimensions in a 6 GiB heap. */
  static final double HEAP_SHARE = 0.125;

  private final long budget;
  private final AtomicLong used = new AtomicLong();
  private final Map<IndexReader.CacheKey, QuantizedVectors> copies = new ConcurrentHashMap<>();

  QuantizedSegments(long budget) {
    this.budget = budget;
  }

  static QuantizedSegments ofHeap() {
    return new QuantizedSegments((long) (Runtime.getRuntime().maxMemory() * HEAP_SHARE));
  }

  long budget() {
    return budget;
  }

  /** Bytes held by the copies now. */
  long used() {
    return used.get();
  }

  /**
   * The copy of the segment's HNSW vectors, read now if it is not held yet; null when the segment has none, when it
   * does not fit the budget, or when Lucene does not share the segment between readers (no core cache key).
   */
  QuantizedVectors of(LeafReader reader) throws IOException {
    IndexReader.CacheHelper helper = reader.getCoreCacheHelper();
    if (helper == null) {
      return null;
    }
    IndexReader.CacheKey key = helper.getKey();
    QuantizedVectors held = copies.get(key);
    if (held != null) {
      return held;
    }
    synchronized (this) { // one read at a time: two searches of a new segment would read it twice
      held = copies.get(key);
      if (held != null || !fits(reader)) {
        return held;
      }
      QuantizedVectors read = QuantizedVectors.read(reader);
      if (read == null) {
        return null;
      }
      used.addAndGet(read.bytes());
      copies.put(key, read);
      helper.addClosedListener(closed -> {
        QuantizedVectors dropped = copies.remove(closed);
        if (dropped != null) {
          used.addAndGet(-dropped.bytes());
        }
      });
      return read;
    }
  }

  /** Reads the copy of a segment a merge has just written, so that its first search does not wait for it. */
  void warm(LeafReader reader) throws IOException {
    of(reader);
  }

  private boolean fits(LeafReader reader) throws IOException {
    var values = reader.getFloatVectorValues(LuceneDocs.VECTOR);
    return values == null
        || used.get() + QuantizedVectors.bytes(values.size(), values.dimension()) <= budget;
  }
}
