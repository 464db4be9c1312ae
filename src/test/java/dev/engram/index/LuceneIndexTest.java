package dev.engram.index;

import static dev.engram.index.IndexFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.index.PassageIndex.IndexStats;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.testkit.RandomVectors;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract on Lucene, plus what only an on-disk index can show: restarts, a lost or broken directory. */
class LuceneIndexTest extends PassageIndexContract {
  @TempDir
  Path tmp;

  private Path dir() {
    return tmp.resolve("index/lucene");
  }

  @Override
  protected PassageIndex open(Vertx vertx) {
    return new LuceneIndex(vertx, dir());
  }

  @Test
  @DisplayName("closing and reopening the directory keeps every acknowledged passage")
  void reopenKeepsData() {
    var p = passage(agent(), "the wifi password is hunter2", axis(2));
    await(index.upsert(List.of(p)));
    index.close();
    index = open(vertx);
    assertEquals(new IndexStats(1, p.seq()), await(index.stats()));
    assertEquals(List.of(p.id()), ids(search(SearchMode.HYBRID, "wifi password", axis(2), 5)));
  }

  @Test
  @DisplayName("an acknowledged delete is committed: a reader of the last commit no longer sees it, also when several"
      + " deletes arrive at once and share one commit")
  void deletesAreCommittedBeforeTheyAreAcknowledged() throws Exception {
    List<IndexedPassage> passages = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      passages.add(passage(agent(), "note " + i, axis(i % 4)));
    }
    await(index.upsert(passages));
    await(index.flush());
    List<io.vertx.core.Future<Void>> deletes = passages.subList(0, 8).stream()
        .map(p -> index.delete(List.of(p.id()))).toList();
    await(io.vertx.core.Future.all(deletes));
    try (var reader = org.apache.lucene.index.DirectoryReader.open(
        org.apache.lucene.store.FSDirectory.open(dir()))) {
      assertEquals(2, reader.numDocs(), "the last commit holds every acknowledged delete");
    }
  }

  @Test
  @DisplayName("vector searches after a reopen are exact again (vectors reloaded from disk), per user and owner")
  void reopenReloadsExactVectors() {
    UUID other = UUID.randomUUID();
    var random = new java.util.Random(3);
    List<IndexedPassage> mine = randomPassages(agent(), "p", 60, random);
    // another user's passages under the same owner id, and nearer to the query: never returned to us
    float[] query = randomUnit(random);
    var theirs = new IndexedPassage(UUID.randomUUID(), 1000, other, agent(), "theirs", query);
    await(index.upsert(mine));
    await(index.upsert(List.of(theirs)));
    index.close();
    index = open(vertx);
    await(index.delete(List.of(mine.get(0).id())));
    List<UUID> expected = mine.subList(1, mine.size()).stream()
        .sorted(Comparator.comparingDouble((IndexedPassage p) -> -dot(p.vector(), query)))
        .limit(10).map(IndexedPassage::id).toList();
    assertEquals(expected, ids(search(SearchMode.VECTOR, null, query, 10)));
    assertEquals(List.of(theirs.id()), ids(search(other, java.util.Set.of(agent()), SearchMode.VECTOR, null, query,
        10)));
  }

  @Test
  @DisplayName("a vector search of an owner beyond the exact limit (its stored vectors scanned) and of a small one"
      + " (in memory) are both exact, with their cosine as the score")
  void beyondTheExactLimitHnswAnswers() {
    index.close();
    index = new LuceneIndex(vertx, dir(), LuceneTuning.DEFAULTS.withExactSearch(50, 40));
    var random = new java.util.Random(5);
    UUID small = UUID.randomUUID();
    List<IndexedPassage> big = randomPassages(agent(), "b", 200, random);
    List<IndexedPassage> few = randomPassages(small, "s", 20, random);
    await(index.upsert(big));
    await(index.upsert(few));
    float[] query = randomUnit(random);
    for (var set : List.of(big, few)) {
      List<UUID> expected = set.stream().sorted(Comparator.comparingDouble((IndexedPassage p) -> -dot(p.vector(),
          query))).limit(5).map(IndexedPassage::id).toList();
      UUID owner = set.get(0).ownerId();
      List<PassageIndex.ScoredPassage> hits = search(user(), java.util.Set.of(owner), SearchMode.VECTOR, null, query,
          5);
      assertEquals(expected, ids(hits));
      assertEquals(dot(set.stream().filter(p -> p.id().equals(expected.get(0))).findFirst().orElseThrow().vector(),
          query), hits.get(0).score(), 1e-5);
    }
  }

  @ParameterizedTest(name = "into the HNSW field: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("an owner that outgrows exact search moves out of memory, into the flat field of large owners (or, as"
      + " asked, the HNSW field): searches stay exact while it moves, its text stays searchable, a scope mixing it"
      + " with a small owner merges both, and a reopen keeps it there")
  void ownerOutgrowingExactSearchMovesOutOfMemory(boolean graphed) {
    index.close();
    LuceneTuning tuning = LuceneTuning.DEFAULTS.withExactSearch(50, 40).withLargeOwnersGraphed(graphed);
    index = new LuceneIndex(vertx, dir(), tuning);
    var random = new java.util.Random(11);
    UUID small = UUID.randomUUID();
    List<IndexedPassage> big = randomPassages(agent(), "note about w", 200, random);
    List<IndexedPassage> few = randomPassages(small, "aside s", 20, random);
    await(index.upsert(few));
    float[] query = randomUnit(random);
    List<IndexedPassage> both = new java.util.ArrayList<>(few);
    for (int i = 0; i < big.size(); i += 40) { // five writes: the owner crosses the limit in the second
      await(index.upsert(big.subList(i, i + 40)));
      both.addAll(big.subList(i, i + 40));
      assertEquals(nearest(both, query, 10), ids(search(user(), java.util.Set.of(agent(), small), SearchMode.VECTOR,
          null, query, 10)), "exact while the owner moves, after " + (i + 40));
    }
    awaitHeld(20, "the big owner left memory once its vectors moved");
    for (int round = 0; round < 2; round++) {
      assertEquals(nearest(big, query, 5), ids(search(user(), java.util.Set.of(agent()), SearchMode.VECTOR, null,
          query, 5)));
      assertEquals(nearest(both, query, 10), ids(search(user(), java.util.Set.of(agent(), small), SearchMode.VECTOR,
          null, query, 10)), "a mixed scope: HNSW for the big owner merged with a scan of the small one");
      assertEquals(List.of(big.get(137).id()), ids(search(user(), java.util.Set.of(agent()), SearchMode.TEXT,
          "w137", null, 5)), "the moved documents were rebuilt with their text");
      assertEquals(220, await(index.stats()).count(), "moved, not copied");
      assertEquals(200, await(((LuceneIndex) index).vectorsIn(graphed ? LuceneDocs.VECTOR : LuceneDocs.LARGE_VECTOR)),
          "the big owner's vectors are all in its field");
      assertEquals(20, await(((LuceneIndex) index).vectorsIn(LuceneDocs.EXACT_VECTOR)));
      index.close();
      index = new LuceneIndex(vertx, dir(), tuning);
      awaitHeld(20, "after a reopen the big owner is not held again");
    }
  }

  @Test
  @DisplayName("a move to the HNSW field cut short by a stop is finished after the next open")
  void interruptedMoveResumesOnOpen() {
    var random = new java.util.Random(12);
    List<IndexedPassage> big = reopenedMidMove(300, random);
    float[] query = randomUnit(random);
    assertEquals(nearest(big, query, 5), ids(search(user(), java.util.Set.of(agent()), SearchMode.VECTOR, null,
        query, 5)));
    awaitHeld(0, "the move finished");
    assertEquals(nearest(big, query, 5), ids(search(user(), java.util.Set.of(agent()), SearchMode.VECTOR, null,
        query, 5)));
    assertEquals(List.of(big.get(42).id()), ids(search(user(), java.util.Set.of(agent()), SearchMode.TEXT, "w42",
        null, 5)));
    assertEquals(300, await(index.stats()).count());
  }

  @Test
  @DisplayName("writes to an owner while its vectors move to the HNSW field win over the move: a changed passage keeps"
      + " its new text and vector, a deleted one stays deleted")
  void writesDuringAMoveWinOverIt() {
    var random = new java.util.Random(14);
    List<IndexedPassage> big = reopenedMidMove(4_000, random); // the writes below land while it moves
    java.util.Map<Integer, IndexedPassage> changed = new java.util.TreeMap<>();
    List<Integer> deleted = new java.util.ArrayList<>();
    for (int from = 0; from < big.size(); from += 200) {
      List<IndexedPassage> batch = new java.util.ArrayList<>();
      List<UUID> gone = new java.util.ArrayList<>();
      for (int i = from; i < from + 200; i++) {
        IndexedPassage old = big.get(i);
        if (i % 7 == 3) {
          var now = new IndexedPassage(old.id(), old.seq() + 100_000, old.userId(), old.ownerId(), "changed c" + i,
              randomUnit(random));
          changed.put(i, now);
          batch.add(now);
        } else if (i % 11 == 5) {
          deleted.add(i);
          gone.add(old.id());
        }
      }
      await(index.upsert(batch));
      await(index.delete(gone));
    }
    awaitHeld(0, "the move finished");
    assertEquals(big.size() - deleted.size(), await(index.stats()).count(), "moved, not copied or revived");
    for (var e : changed.entrySet()) {
      int i = e.getKey();
      IndexedPassage now = e.getValue();
      assertEquals(List.of(now.id()), ids(search(user(), java.util.Set.of(agent()), SearchMode.TEXT, "c" + i, null,
          5)), "the new text of " + i);
      assertEquals(List.of(), ids(search(user(), java.util.Set.of(agent()), SearchMode.TEXT, "w" + i, null, 5)),
          "the old text of " + i + " is gone");
      assertEquals(now.id(), ids(search(user(), java.util.Set.of(agent()), SearchMode.VECTOR, null, now.vector(), 1))
          .get(0), "the new vector of " + i);
    }
    for (int i : deleted) {
      assertEquals(List.of(), ids(search(user(), java.util.Set.of(agent()), SearchMode.TEXT, "w" + i, null, 5)),
          "deleted " + i);
    }
  }

  @Test
  @DisplayName("a hybrid hit carries its cosine similarity to the query, from the flat field and the HNSW field")
  void hybridHitsCarryTheirCosine() {
    var random = new java.util.Random(15);
    List<IndexedPassage> big = reopenedMidMove(300, random);
    awaitHeld(0, "the big owner moved to the HNSW field");
    UUID small = UUID.randomUUID();
    List<IndexedPassage> few = randomPassages(small, "note about w", 20, random);
    await(index.upsert(few));
    java.util.Map<UUID, float[]> vectors = new java.util.HashMap<>();
    big.forEach(p -> vectors.put(p.id(), p.vector()));
    few.forEach(p -> vectors.put(p.id(), p.vector()));
    float[] query = randomUnit(random);
    List<ScoredPassage> hits = search(user(), java.util.Set.of(agent(), small), SearchMode.HYBRID, "note about w7",
        query, 40);
    assertEquals(40, hits.size());
    assertTrue(hits.stream().anyMatch(h -> few.stream().anyMatch(p -> p.id().equals(h.id())))
        && hits.stream().anyMatch(h -> big.stream().anyMatch(p -> p.id().equals(h.id()))), "hits of both owners");
    for (ScoredPassage h : hits) {
      assertEquals(dot(vectors.get(h.id()), query), h.similarity(), 1e-5, "the cosine of " + h.id());
    }
  }

  @Test
  @DisplayName("a vector search of an owner past the exact limit is still exact among near-duplicates (its stored"
      + " vectors are scanned), while HNSW alone, as with exact search off, misses some")
  void largeOwnerVectorSearchIsExactAmongNearDuplicates() {
    var random = new java.util.Random(13);
    float[] base = new float[384]; // the width of real embeddings: HNSW does well in few dimensions
    for (int i = 0; i < base.length; i++) {
      base[i] = (float) random.nextGaussian();
    }
    List<IndexedPassage> near = new java.util.ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      near.add(passage(agent(), "near " + i, nearby(base, 0.05, random)));
    }
    List<float[]> queries = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queries.add(nearby(base, 0.05, random));
    }
    int missedByHnsw = 0;
    for (int exactLimit : List.of(50, 0)) {
      index.close();
      index = new LuceneIndex(vertx, tmp.resolve("scan-" + exactLimit), LuceneTuning.DEFAULTS.withExactSearch(
          exactLimit, 1));
      await(index.upsert(near));
      if (exactLimit > 0) {
        awaitHeld(0, "the owner moved to the HNSW field");
      }
      for (float[] q : queries) {
        List<UUID> truth = nearest(near, q, 10);
        List<UUID> found = ids(search(user(), java.util.Set.of(agent()), SearchMode.VECTOR, null, q, 10));
        if (exactLimit > 0) {
          assertEquals(new java.util.HashSet<>(truth), new java.util.HashSet<>(found), "the true top 10 (the order"
              + " of near-ties may differ in the last bits: the scan sums in float, this check in double)");
        } else {
          missedByHnsw += (int) truth.stream().filter(id -> !found.contains(id)).count();
        }
      }
    }
    assertTrue(missedByHnsw > 0, "the data is hard enough that HNSW with 100 candidates misses true neighbours");
  }

  @Test
  @DisplayName("the vector half of a hybrid search of a large owner in the flat field is exact among near-duplicates,"
      + " where HNSW's walk, as in the HNSW field, misses some")
  void hybridSearchOfALargeOwnerIsExact() {
    var random = new java.util.Random(17);
    float[] base = RandomVectors.unit(random, 384);
    List<IndexedPassage> near = new java.util.ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      near.add(passage(agent(), "near " + i, nearby(base, 0.05, random)));
    }
    int missedByHnsw = 0;
    for (boolean graphed : List.of(false, true)) {
      index.close();
      index = new LuceneIndex(vertx, tmp.resolve("hybrid-" + graphed), LuceneTuning.DEFAULTS.withExactSearch(50, 1)
          .withContextWeight(0).withLargeOwnersGraphed(graphed));
      await(index.upsert(near));
      awaitHeld(0, "the owner moved out of memory");
      for (int i = 0; i < 20; i++) {
        float[] q = nearby(base, 0.05, random);
        // no passage has the word: the fused ranking is the vector half's
        List<UUID> found = ids(search(user(), java.util.Set.of(agent()), SearchMode.HYBRID, "unmatched", q, 10));
        List<UUID> truth = nearest(near, q, 10);
        if (graphed) {
          missedByHnsw += (int) truth.stream().filter(id -> !found.contains(id)).count();
        } else {
          assertEquals(new java.util.HashSet<>(truth), new java.util.HashSet<>(found), "the true top 10");
        }
      }
    }
    assertTrue(missedByHnsw > 0, "the data is hard enough that HNSW's walk misses true neighbours");
  }

  @Test
  @DisplayName("an index whose large owner is in the HNSW field keeps it there when opened with large owners in the"
      + " flat field; an owner that grows large afterwards goes to the flat field; searches of each and of both are"
      + " exact, their text searchable")
  void largeOwnersOfBothFieldsAreSearchedTogether() {
    index.close();
    var random = new java.util.Random(19);
    LuceneTuning before = LuceneTuning.DEFAULTS.withExactSearch(50, 40).withLargeOwnersGraphed(true);
    index = new LuceneIndex(vertx, dir(), before);
    List<IndexedPassage> old = randomPassages(agent(), "old o", 120, random);
    await(index.upsert(old));
    awaitHeld(0, "the first owner moved to the HNSW field");
    index.close();
    index = new LuceneIndex(vertx, dir(), before.withLargeOwnersGraphed(false));
    UUID second = UUID.randomUUID();
    List<IndexedPassage> fresh = randomPassages(second, "new n", 120, random);
    await(index.upsert(fresh));
    awaitHeld(0, "the second owner moved to the flat field");
    assertEquals(120, await(((LuceneIndex) index).vectorsIn(LuceneDocs.VECTOR)));
    assertEquals(120, await(((LuceneIndex) index).vectorsIn(LuceneDocs.LARGE_VECTOR)));
    List<IndexedPassage> both = new java.util.ArrayList<>(old);
    both.addAll(fresh);
    for (int i = 0; i < 5; i++) {
      float[] q = randomUnit(random);
      assertEquals(nearest(old, q, 5), ids(search(user(), java.util.Set.of(agent()), SearchMode.VECTOR, null, q, 5)));
      assertEquals(nearest(fresh, q, 5), ids(search(user(), java.util.Set.of(second), SearchMode.VECTOR, null, q,
          5)));
      assertEquals(nearest(both, q, 10), ids(search(user(), java.util.Set.of(agent(), second), SearchMode.VECTOR,
          null, q, 10)));
    }
    assertEquals(List.of(fresh.get(7).id()), ids(search(user(), java.util.Set.of(agent(), second), SearchMode.TEXT,
        "n7", null, 5)));
    List<ScoredPassage> hybrid = search(user(), java.util.Set.of(agent(), second), SearchMode.HYBRID, "o7 n7",
        randomUnit(random), 10);
    assertTrue(ids(hybrid).containsAll(List.of(old.get(7).id(), fresh.get(7).id())), "both owners' text hits");
  }

  @Test
  @DisplayName("an index reopened with exact search off moves its small owners' vectors to the HNSW field")
  void exactSearchTurnedOffMovesVectorsToHnsw() {
    index.close();
    var random = new java.util.Random(23);
    index = new LuceneIndex(vertx, dir(), LuceneTuning.DEFAULTS.withExactSearch(50, 40));
    List<IndexedPassage> few = randomPassages(agent(), "few f", 30, random);
    await(index.upsert(few));
    assertEquals(30, await(((LuceneIndex) index).vectorsIn(LuceneDocs.EXACT_VECTOR)));
    index.close();
    index = new LuceneIndex(vertx, dir(), LuceneTuning.DEFAULTS.withExactSearch(0, 40));
    awaitHeld(0, "the owner moved");
    assertEquals(30, await(((LuceneIndex) index).vectorsIn(LuceneDocs.VECTOR)));
    float[] q = randomUnit(random);
    assertEquals(nearest(few, q, 5), ids(search(user(), java.util.Set.of(agent()), SearchMode.VECTOR, null, q, 5)));
  }

  private static float[] nearby(float[] base, double noise, java.util.Random random) {
    float[] v = new float[base.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (base[i] + noise * random.nextGaussian());
    }
    return unit(v);
  }

  private static List<UUID> nearest(List<IndexedPassage> passages, float[] query, int n) {
    return passages.stream().sorted(Comparator.comparingDouble((IndexedPassage p) -> -dot(p.vector(), query)))
        .limit(n).map(IndexedPassage::id).toList();
  }

  /**
   * {@code n} passages of one owner written as flat documents, then the index reopened with an exact limit of 100:
   * the state a stop in the middle of a move leaves, so the owner starts moving at the open.
   */
  private List<IndexedPassage> reopenedMidMove(int n, java.util.Random random) {
    index.close();
    index = new LuceneIndex(vertx, dir(), LuceneTuning.DEFAULTS.withExactSearch(n, 40));
    List<IndexedPassage> big = randomPassages(agent(), "note about w", n, random);
    await(index.upsert(big));
    index.close();
    index = new LuceneIndex(vertx, dir(), LuceneTuning.DEFAULTS.withExactSearch(100, 40));
    return big;
  }

  /** Waits (up to 30 s) until the index holds {@code n} vectors in memory. */
  private void awaitHeld(int n, String what) {
    long deadline = System.currentTimeMillis() + 30_000;
    int held;
    while ((held = await(((LuceneIndex) index).heldVectors())) != n && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    assertEquals(n, held, what);
  }

  /** {@code n} passages of {@code owner}, texts {@code prefix + i}, random unit vectors. */
  private List<IndexedPassage> randomPassages(UUID owner, String prefix, int n, java.util.Random random) {
    List<IndexedPassage> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(passage(owner, prefix + i, randomUnit(random)));
    }
    return out;
  }

  private static float[] randomUnit(java.util.Random random) {
    return RandomVectors.unit(random, DIM);
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Test
  @DisplayName("a deleted index directory gives an empty index that works")
  void deletedDirectoryIsEmpty() throws IOException {
    await(index.upsert(List.of(passage(agent(), "soon gone", axis(0)))));
    index.close();
    deleteTree(tmp.resolve("index"));
    index = open(vertx);
    assertEquals(new IndexStats(0, -1), await(index.stats()));
    assertEquals(List.of(), search(SearchMode.HYBRID, "gone", axis(0), 5));
    var p = passage(agent(), "back again", axis(1));
    await(index.upsert(List.of(p)));
    assertEquals(List.of(p.id()), ids(search(SearchMode.VECTOR, null, axis(1), 5)));
  }

  @Test
  @DisplayName("an unreadable index is replaced by an empty one instead of failing")
  void corruptIndexStartsEmpty() throws IOException {
    await(index.upsert(List.of(passage(agent(), "soon unreadable", axis(0)))));
    index.close();
    try (Stream<Path> files = Files.list(dir())) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("segments_")).toList()) {
        Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
      }
    }
    index = open(vertx);
    assertEquals(new IndexStats(0, -1), await(index.stats()));
    var p = passage(agent(), "fresh start", axis(1));
    await(index.upsert(List.of(p)));
    assertEquals(new IndexStats(1, p.seq()), await(index.stats()));
  }

  @Test
  @DisplayName("an index written with an older document layout is emptied on open (to be rebuilt), then marked")
  void olderLayoutStartsEmpty() throws IOException {
    index.close();
    try (var writer = new IndexWriter(FSDirectory.open(dir()), new IndexWriterConfig())) {
      var doc = new Document();
      doc.add(new StringField(LuceneDocs.ID, UUID.randomUUID().toString(), Field.Store.YES));
      writer.addDocument(doc);
    }
    index = open(vertx);
    assertEquals(new IndexStats(0, -1), await(index.stats()));
    var p = passage(agent(), "current layout", axis(1));
    await(index.upsert(List.of(p)));
    index.close();
    index = open(vertx);
    assertEquals(new IndexStats(1, p.seq()), await(index.stats()));
  }

  @Test
  @DisplayName("text search stems English words and ignores stop words")
  void stemming() {
    var p = passage(agent(), "She runs along the river every morning", axis(0));
    await(index.upsert(List.of(p)));
    assertEquals(List.of(p.id()), ids(search(SearchMode.TEXT, "running rivers", null, 5)));
    assertEquals(List.of(), search(SearchMode.TEXT, "the and of", null, 5));
  }

  @Test
  @DisplayName("vectors wider than Lucene's default limit of 1024 (OpenAI's 1536) are indexed and found")
  void wideVectors() {
    float[] v = new float[1536];
    v[1000] = 1;
    var p = new IndexedPassage(UUID.randomUUID(), 1, user(), agent(), "wide", v);
    await(index.upsert(List.of(p)));
    var hits = search(SearchMode.VECTOR, null, v, 5);
    assertEquals(List.of(p.id()), ids(hits));
    assertEquals(1.0, hits.get(0).score(), 1e-4);
  }

  @Test
  @DisplayName("clear also forgets the vector dimension, so a rebuild may use another embedding model")
  void clearAllowsNewDimension() {
    await(index.upsert(List.of(passage(agent(), "eight dims", axis(0)))));
    await(index.clear());
    float[] v = new float[16];
    v[3] = 1;
    var p = passage(agent(), "sixteen dims", v);
    await(index.upsert(List.of(p)));
    assertEquals(List.of(p.id()), ids(search(SearchMode.VECTOR, null, v, 5)));
  }

  @Test
  @DisplayName("a query vector of the wrong dimension is a bad request, not a server error")
  void wrongQueryDimension() {
    await(index.upsert(List.of(passage(agent(), "eight dims", axis(0)))));
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> search(SearchMode.VECTOR, null, new float[] {1, 0, 0}, 5));
    assertInstanceOf(dev.engram.kernel.ApiException.class, e.getCause());
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
