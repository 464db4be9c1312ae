package dev.engram.index;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One Lucene index searched with many search settings without rebuilding it: the benchmarks that tune the hybrid
 * search use it (blocking, on the calling thread). The index-time settings (BM25 k1 and b, term vectors for
 * feedback) are those it was built with; the search-time ones (fusion, context, feedback, hints) come with each
 * search. The search is the server's own {@link LuceneSearch}.
 */
public final class IndexProbe implements AutoCloseable {
  private final LuceneStore store;

  private IndexProbe(LuceneStore store) {
    this.store = store;
  }

  /** An index in {@code dir} holding {@code passages}, built with {@code tuning}'s index-time settings. */
  public static IndexProbe build(Path dir, LuceneTuning tuning, List<IndexedPassage> passages) throws IOException {
    LuceneStore store = LuceneStore.open(dir, tuning, null, Runnable::run);
    store.add(passages);
    store.forceMerge(1);
    return new IndexProbe(store);
  }

  public List<ScoredPassage> search(PassageQuery query, LuceneTuning tuning) throws IOException {
    return new LuceneSearch(store, tuning).search(query);
  }

  @Override
  public void close() throws IOException {
    store.close();
  }
}
