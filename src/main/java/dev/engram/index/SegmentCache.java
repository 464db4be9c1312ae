package dev.engram.index;

import java.util.List;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.NRTCachingDirectory;

/**
 * Small segments flushed for a search, and small merges, stay in memory until a commit writes them out ({@link
 * NRTCachingDirectory}): a search right after a write refreshes the reader, which flushes a tiny segment, and
 * creating, mapping and deleting its dozen files was a third of the CPU of an add-then-search loop (most of it in the
 * kernel). Commits still write and sync every file they hold.
 *
 * <p>Files of the HNSW format are written to disk even so: Lucene reads a vector from a memory-held file through a
 * copy that crosses the file's small blocks with a caught exception and new buffer views each time, and building the
 * graph of a merged segment reads its vectors millions of times (with them cached: 2.6 MB allocated per add, 340
 * instead of 598 adds/s while one scope grew to 60,000 memories, scripts/bench.sh memories --callers 8). Mapped files
 * have no such cost.
 */
final class SegmentCache extends NRTCachingDirectory {
  /** Segments and merges up to this size are cached, up to {@link #MAX_CACHED_MB} in all. */
  static final double MAX_MERGE_MB = 16;
  static final double MAX_CACHED_MB = 64;
  /**
   * Part of the name of every file of the HNSW format (per-field files are named after their format): ours, and
   * Lucene's, which wrote the HNSW field's segments before {@link GraphVectorsFormat}.
   */
  static final List<String> HNSW_FILES = List.of(GraphVectorsFormat.NAME, "Lucene99HnswVectorsFormat");

  SegmentCache(Directory delegate) {
    super(delegate, MAX_MERGE_MB, MAX_CACHED_MB);
  }

  @Override
  protected boolean doCacheWrite(String name, IOContext context) {
    return HNSW_FILES.stream().noneMatch(name::contains) && super.doCacheWrite(name, context);
  }
}
