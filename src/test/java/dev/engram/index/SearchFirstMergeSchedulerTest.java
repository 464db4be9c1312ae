package dev.engram.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A merge backlog holds back writers, as Lucene intends, but never a refresh for a search. */
class SearchFirstMergeSchedulerTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(120)
  @DisplayName("while merges are behind, a refresh for a search opens its reader at once; any other caller waits")
  void refreshIsNotStalledByAMergeBacklog() throws Exception {
    var mergesHeld = new CountDownLatch(1);
    var scheduler = new SearchFirstMergeScheduler() {
      @Override
      protected void doMerge(MergeSource source, MergePolicy.OneMerge merge) throws IOException {
        try {
          mergesHeld.await(); // a merge that takes as long as the test wants
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.doMerge(source, merge);
      }
    };
    scheduler.setMaxMergesAndThreads(1, 1); // one merge running or pending is a backlog
    var policy = new LogDocMergePolicy();
    policy.setMergeFactor(2);
    policy.setMinMergeDocs(1);
    try (var directory = FSDirectory.open(dir);
        var writer = new IndexWriter(directory, new IndexWriterConfig(new StandardAnalyzer())
            .setMergeScheduler(scheduler).setMergePolicy(policy).setMaxFullFlushMergeWaitMillis(0))) {
      try {
        refreshesBesideABacklog(writer, scheduler, mergesHeld);
      } finally {
        mergesHeld.countDown(); // else closing the writer waits for the held merge
      }
    }
  }

  private static void refreshesBesideABacklog(IndexWriter writer, SearchFirstMergeScheduler scheduler,
      CountDownLatch mergesHeld) throws Exception {
    for (int i = 0; i < 2; i++) { // two segments: the first merge, held
      writer.addDocument(doc(i));
      writer.flush();
    }
    for (int i = 2; i < 6; i++) { // more segments while it is held, each flushed by a search's refresh; every
      // second one makes a merge that would have to wait
      writer.addDocument(doc(i));
      try (DirectoryReader reader = open(writer, true).get(10, TimeUnit.SECONDS)) {
        assertEquals(i + 1, reader.numDocs(), "the refresh sees every write");
      }
    }
    assertTrue(scheduler.mergeThreadCount() >= 1, "the merge is still held: the refreshes ran beside a backlog");

    // the same refresh, not a search's, flushing a segment that makes another merge: stalled until merging catches up
    // (a flush asks for merges only when it makes one, hence two segments)
    writer.addDocument(doc(6));
    writer.flush();
    writer.addDocument(doc(7));
    CompletableFuture<DirectoryReader> plain = open(writer, false);
    assertFalse(opensWithin(plain, 2), "a refresh that is not a search's waits for the backlog");
    mergesHeld.countDown();
    try (DirectoryReader reader = plain.get(30, TimeUnit.SECONDS)) {
      assertEquals(8, reader.numDocs());
    }
  }

  /** Opens a near-real-time reader on another thread, as a search's refresh or not. */
  private static CompletableFuture<DirectoryReader> open(IndexWriter writer, boolean forSearch) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        DirectoryReader[] opened = new DirectoryReader[1];
        if (forSearch) {
          SearchFirstMergeScheduler.refresh(() -> opened[0] = DirectoryReader.open(writer));
        } else {
          opened[0] = DirectoryReader.open(writer);
        }
        return opened[0];
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static boolean opensWithin(CompletableFuture<DirectoryReader> opening, int seconds)
      throws InterruptedException, ExecutionException {
    try {
      opening.get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }

  private static Document doc(int i) {
    var d = new Document();
    d.add(new StringField("id", "d" + i, Field.Store.NO));
    return d;
  }
}
