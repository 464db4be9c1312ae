package dev.engram.index;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexWriterConfig.OpenMode;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.lucene.store.Directory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening the one {@link IndexWriter} of a {@link LuceneStore}: its configuration and merge policy, and what is
 * discarded on the way (an unreadable index, one written with another document layout), since the database rebuilds
 * it.
 */
final class IndexWriters {
  /** The store's logger: these lines are part of opening the store, and keep its name in the log. */
  private static final Logger log = LoggerFactory.getLogger(LuceneStore.class);
  /** See {@link #mergePolicy()}. */
  static final double SEGMENTS_PER_TIER = 3;
  static final double MERGE_FLOOR_MB = 512;

  private IndexWriters() {}

  /** Opens (or creates) the writer of the index in {@code dir}; {@code config} gives its configuration per mode. */
  static IndexWriter open(Path dir, Directory directory, Function<OpenMode, IndexWriterConfig> config)
      throws IOException {
    try {
      return withLayout(dir, new IndexWriter(directory, config.apply(OpenMode.CREATE_OR_APPEND)));
    } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException e) {
      log.warn("Lucene index in {} is unreadable ({}); starting an empty one, rebuild it from the database", dir,
          e.toString());
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          if (!f.getFileName().toString().equals(IndexWriter.WRITE_LOCK_NAME)) {
            Files.deleteIfExists(f);
          }
        }
      }
      return withLayout(dir, new IndexWriter(directory, config.apply(OpenMode.CREATE)));
    }
  }

  /** Empties an index written with another document layout (it is rebuilt from the database) and marks the layout. */
  private static IndexWriter withLayout(Path dir, IndexWriter writer) throws IOException {
    String layout = null;
    for (Map.Entry<String, String> e : writer.getLiveCommitData()) {
      if (e.getKey().equals(LuceneDocs.LAYOUT_KEY)) {
        layout = e.getValue();
      }
    }
    boolean stale = writer.getDocStats().maxDoc > 0 && !LuceneDocs.LAYOUT.equals(layout);
    if (stale) {
      log.info("Lucene index in {} has document layout {} (now {}); starting an empty one, rebuild it from the "
          + "database", dir, layout == null ? "1" : layout, LuceneDocs.LAYOUT);
      writer.deleteAll();
    }
    writer.setLiveCommitData(Map.of(LuceneDocs.LAYOUT_KEY, LuceneDocs.LAYOUT).entrySet());
    if (stale) {
      writer.commit();
    }
    return writer;
  }

  /**
   * The store's configuration: its analyzer and BM25, our codec, few segments, the tuned indexing buffer, no merges
   * awaited by a refresh or a commit, and no refresh for a search stalled by merges ({@link
   * SearchFirstMergeScheduler}). Lucene's default lets a refresh or commit wait up to 500 ms for merges of the
   * segments it just flushed; with HNSW segments those merges rarely end in time, so the wait ran out at 500 ms while
   * writes and searches queued behind it (JFR of {@code scripts/bench.sh memories --memories 60000 --callers 8}).
   * The merge scheduler merges the same segments in the background. {@code warmer} sees each merged segment before
   * it is searched.
   */
  static IndexWriterConfig config(Analyzer analyzer, Similarity similarity, LuceneTuning tuning,
      ExecutorService mergeExecutor, IndexWriter.IndexReaderWarmer warmer, OpenMode mode) {
    return new IndexWriterConfig(analyzer)
        .setOpenMode(mode)
        .setSimilarity(similarity)
        .setCodec(VectorCodec.create(tuning, mergeExecutor))
        .setMergePolicy(mergePolicy())
        .setMaxFullFlushMergeWaitMillis(0)
        .setMergeScheduler(new SearchFirstMergeScheduler())
        .setMergedSegmentWarmer(warmer)
        .setRAMBufferSizeMB(tuning.ramBufferMb());
  }

  /**
   * Few segments: every segment is one more HNSW graph (and one more term lookup, bit set and heap) per vector
   * search, so Lucene's default (10 segments per tier above a 2 MB floor: 17 segments at 100,000 memories) made a
   * search cost 1.8 ms of CPU where one segment costs 0.4 ms. Treating every segment below {@link #MERGE_FLOOR_MB}
   * as that size keeps an index up to a few times that size in about {@link #SEGMENTS_PER_TIER} segments. Merges
   * reuse the HNSW graph of their largest segment (Lucene inserts only the other segments' vectors), so the extra
   * merging cost adds little: CPU per add was unchanged within noise at 20,000 memories.
   */
  private static MergePolicy mergePolicy() {
    var policy = new TieredMergePolicy();
    policy.setSegmentsPerTier(SEGMENTS_PER_TIER);
    policy.setFloorSegmentMB(MERGE_FLOOR_MB);
    return policy;
  }
}
