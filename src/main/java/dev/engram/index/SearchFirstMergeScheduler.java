package dev.engram.index;

import java.io.IOException;
import org.apache.lucene.index.ConcurrentMergeScheduler;

/**
 * Lucene's concurrent merge scheduler, except that it never stalls a refresh for a search. When merges fall behind
 * (more than {@link #getMaxMergeCount} running or pending), Lucene stalls whichever thread asks for another merge until
 * they catch up, to slow down the thread that makes the segments. A refresh asks for merges too (the segments it
 * flushed), so under a steady stream of writes a search waited there: refreshes stalled for 250 ms at a time, and
 * searches queued behind them for up to 3 s (JFR of {@code scripts/bench.sh memories --memories 60000 --callers 8}).
 * Here a refresh leaves the merge pending instead (a merge thread starts it when one ends); writes and commits are
 * still held back as Lucene holds them, so an index whose merges fall behind slows its writers, not its readers.
 */
class SearchFirstMergeScheduler extends ConcurrentMergeScheduler { // not final: a test holds its merges back
  private static final ThreadLocal<Boolean> REFRESHING = ThreadLocal.withInitial(() -> false);

  /** A refresh of the index's searcher. */
  interface Refresh {
    void run() throws IOException;
  }

  /** Runs a refresh on this thread, which no merge backlog stalls. */
  static void refresh(Refresh refresh) throws IOException {
    REFRESHING.set(true);
    try {
      refresh.run();
    } finally {
      REFRESHING.set(false);
    }
  }

  @Override
  protected synchronized boolean maybeStall(MergeSource source) {
    if (REFRESHING.get() && source.hasPendingMerges() && mergeThreadCount() >= getMaxMergeCount()) {
      return false; // do not start more merges now, and do not wait
    }
    return super.maybeStall(source);
  }
}
