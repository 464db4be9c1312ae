package dev.engram.index;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.embed.VectorMath;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.testkit.RandomVectors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan of large owners' stored vectors, with and without the quantized copies of their segments: near-duplicate
 * vectors of 384 dimensions (where a byte per component is too coarse to rank on its own) in three segments.
 */
class StoredVectorScanTest {
  private static final int DIM = 384;
  private static final UUID USER = new UUID(1, 1);
  private static final UUID OWNER = new UUID(2, 2);
  private static final UUID OTHER = new UUID(2, 3);

  @TempDir
  Path dir;
  private final Random random = new Random(21);
  private final float[] base = RandomVectors.unit(random, DIM);
  private final List<float[]> queries = new ArrayList<>();

  @BeforeEach
  void queries() {
    for (int i = 0; i < 20; i++) {
      queries.add(nearby());
    }
  }

  @Test
  @DisplayName("candidates picked by their byte codes and scored again give the float scan's top 10, scores and all;"
      + " so do the segments' scans shared with a helper thread")
  void quantizedScanEqualsTheFloatScan() throws IOException {
    var copies = new QuantizedSegments(Long.MAX_VALUE);
    ExecutorService helper = Executors.newSingleThreadExecutor();
    try (var directory = FSDirectory.open(dir); var writer = writer(directory, null)) {
      List<IndexedPassage> owned = write(writer, 3, 1_500);
      try (var reader = DirectoryReader.open(writer)) {
        assertEquals(3, reader.leaves().size());
        int differentRough = 0;
        for (float[] q : queries) {
          TopDocs floats = StoredVectorScan.top(reader, null, USER, Set.of(OWNER), q, 10, null);
          List<UUID> truth = owned.stream().sorted(java.util.Comparator.comparingDouble(
              (IndexedPassage p) -> -VectorMath.dot(p.vector(), q))).limit(10).map(IndexedPassage::id).toList();
          List<UUID> found = new ArrayList<>();
          for (ScoreDoc d : floats.scoreDocs) {
            found.add(idOf(reader, d));
          }
          assertEquals(Set.copyOf(truth), Set.copyOf(found), "the owner's true top 10, from both fields");
          TopDocs quantized = StoredVectorScan.top(reader, copies, USER, Set.of(OWNER), q, 10, null);
          assertSame(floats, quantized);
          assertSame(floats, StoredVectorScan.top(reader, copies, USER, Set.of(OWNER), q, 10, helper));
          differentRough += roughTop10Misses(reader, copies, q, floats);
        }
        assertEquals(QuantizedVectors.bytes(1_500 + 1_500, DIM) * 3, copies.used(), 2 * 64 * 3,
            "every segment is held, another owner's vectors too");
        assertTrue(differentRough > 0, "the codes alone would rank some true neighbours out of the top 10: the"
            + " scores are taken again from the floats");
      }
    } finally {
      helper.shutdownNow();
    }
  }

  @Test
  @DisplayName("a first pass over four-bit codes keeps every row the byte codes alone rank in their top 10")
  void fourBitFirstPassKeepsTheByteCodesTop() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(QuantizedVectors.FOUR_BIT, "the fastest kernel reads no four-bit"
        + " codes here: copies hold none");
    var copies = new QuantizedSegments(Long.MAX_VALUE);
    try (var directory = FSDirectory.open(dir); var writer = writer(directory, null)) {
      write(writer, 1, 6_000);
      try (var reader = DirectoryReader.open(writer)) {
        var leaf = reader.leaves().get(0);
        QuantizedVectors copy = copies.of(leaf.reader());
        int[] rows = copy.rows(new ScopeVectors.Key(USER, OWNER));
        int candidates = StoredVectorScan.candidates(10);
        assertTrue(rows[1] - rows[0] > QuantizedVectors.FIRST_PASS_FROM * QuantizedVectors.FIRST_PASS_POOL
            * candidates, "enough rows for a first pass");
        for (float[] q : queries) {
          var byteCodes = new TopHits<Integer>(10);
          copy.scan(rows[0], rows[1], null, q, DotProduct.JAVA, leaf.docBase, byteCodes, QuantizedVectors.floor(10));
          var twoPasses = new TopHits<Integer>(candidates);
          copy.scan(rows[0], rows[1], null, q, DotProduct.FASTEST, leaf.docBase, twoPasses,
              QuantizedVectors.floor(candidates));
          List<Integer> kept = twoPasses.sorted((doc, score) -> doc);
          assertEquals(candidates, kept.size());
          assertTrue(kept.containsAll(byteCodes.sorted((doc, score) -> doc)), "the byte codes' top 10 survives");
        }
      }
    }
  }

  @Test
  @DisplayName("a hit's id comes from its doc values, without the stored fields; a document written without them"
      + " (before they were added) from its stored id")
  void idsFromDocValuesOrStoredFields() throws IOException {
    try (var directory = FSDirectory.open(dir); var writer = writer(directory, null)) {
      var now = new IndexedPassage(UUID.randomUUID(), 1, USER, OWNER, "now", nearby());
      var before = new IndexedPassage(UUID.randomUUID(), 2, USER, OWNER, "before", nearby());
      writer.addDocument(LuceneDocs.document(now, false, LuceneDocs.LARGE_VECTOR));
      var old = LuceneDocs.document(before, false, LuceneDocs.LARGE_VECTOR);
      old.removeFields(LuceneDocs.ID_HIGH);
      old.removeFields(LuceneDocs.ID_LOW);
      writer.addDocument(old);
      try (var reader = DirectoryReader.open(writer)) {
        assertEquals(now.id(), LuceneDocs.idOf(reader, null, 0), "no stored fields needed");
        assertEquals(before.id(), LuceneDocs.idOf(reader, reader.storedFields(), 1));
      }
    }
  }

  @Test
  @DisplayName("a segment over the budget is scanned from its floats; a copy goes when its segment closes")
  void budgetAndRelease() throws IOException {
    long oneSegment = QuantizedVectors.bytes(3_000, DIM) + 2 * 64;
    var copies = new QuantizedSegments(oneSegment + oneSegment / 2);
    try (var directory = FSDirectory.open(dir); var writer = writer(directory, null)) {
      write(writer, 3, 1_500);
      try (var reader = DirectoryReader.open(writer)) {
        for (float[] q : queries) {
          assertSame(StoredVectorScan.top(reader, null, USER, Set.of(OWNER), q, 10, null),
              StoredVectorScan.top(reader, copies, USER, Set.of(OWNER), q, 10, null));
        }
        assertEquals(oneSegment, copies.used(), "one segment fits the budget");
      }
      writer.deleteAll();
      writer.commit();
      try (var reader = DirectoryReader.open(writer)) {
        assertEquals(0, copies.used(), "the segments were closed with their last reader");
      }
    }
  }

  @Test
  @DisplayName("two indexes given one budget share it: the second's segment does not fit beside the first's")
  void indexesShareOneBudget() throws IOException {
    long oneSegment = QuantizedVectors.bytes(3_000, DIM) + 2 * 64;
    var used = new java.util.concurrent.atomic.AtomicLong();
    var first = new QuantizedSegments(oneSegment + oneSegment / 2, used);
    var second = new QuantizedSegments(oneSegment + oneSegment / 2, used);
    try (var directory = FSDirectory.open(dir); var writer = writer(directory, null)) {
      write(writer, 2, 1_500);
      try (var reader = DirectoryReader.open(writer)) {
        assertNotNull(first.of(reader.leaves().get(0).reader()));
        assertNull(second.of(reader.leaves().get(1).reader()), "over the shared budget");
        assertEquals(oneSegment, second.used());
      }
    }
  }

  @Test
  @DisplayName("owners are scanned up to a million vectors, while their codes can fit the budget; HNSW beyond")
  void whatIsScanned() {
    var roomy = new QuantizedSegments(QuantizedVectors.bytes(2_000_000L, 384));
    assertTrue(StoredVectorScan.scans(1_000_000, 384, roomy));
    assertFalse(StoredVectorScan.scans(1_000_001, 384, roomy), "past the limit");
    var small = new QuantizedSegments(QuantizedVectors.bytes(100_000L, 384));
    assertTrue(StoredVectorScan.scans(100_000, 384, small));
    assertFalse(StoredVectorScan.scans(100_001, 384, small), "the codes cannot fit");
    assertTrue(StoredVectorScan.scans(1_000_000, 384, null), "no copies kept: the floats are scanned");
  }

  @Test
  @DisplayName("an owner outgrowing exact search goes to the flat field of large owners while the codes' budget has"
      + " room for four times its codes besides the copies held, else to the HNSW field")
  void whereLargeOwnersGo() throws IOException {
    long room = QuantizedVectors.bytes(StoredVectorScan.GROWTH_ROOM * 50_000L, 384);
    var roomy = new QuantizedSegments(room);
    assertEquals(LuceneDocs.LARGE_VECTOR, StoredVectorScan.placement(roomy).fieldFor(50_000, 384));
    assertEquals(LuceneDocs.VECTOR, StoredVectorScan.placement(roomy).fieldFor(50_001, 384), "no room for four times its codes");
    var shared = new java.util.concurrent.atomic.AtomicLong();
    var crowded = new QuantizedSegments(room, shared);
    try (var directory = FSDirectory.open(dir); var writer = writer(directory, null)) {
      write(writer, 1, 500);
      try (var reader = DirectoryReader.open(writer)) {
        assertNotNull(new QuantizedSegments(room, shared).of(reader.leaves().get(0).reader()));
        assertEquals(LuceneDocs.VECTOR, StoredVectorScan.placement(crowded).fieldFor(50_000, 384),
            "the copies another index holds in the shared budget leave no room");
      }
    }
  }

  @Test
  @DisplayName("a deleted passage is not found, though its segment's copy still holds its codes")
  void deletedPassagesAreSkipped() throws IOException {
    var copies = new QuantizedSegments(Long.MAX_VALUE);
    try (var directory = FSDirectory.open(dir); var writer = writer(directory, null)) {
      List<IndexedPassage> written = write(writer, 2, 500);
      float[] q = queries.get(0);
      UUID best;
      try (var reader = DirectoryReader.open(writer)) {
        best = idOf(reader, StoredVectorScan.top(reader, copies, USER, Set.of(OWNER), q, 1, null).scoreDocs[0]);
        assertTrue(written.stream().anyMatch(p -> p.id().equals(best)));
      }
      long held = copies.used();
      writer.deleteDocuments(LuceneDocs.idTerm(best));
      try (var reader = DirectoryReader.open(writer)) {
        TopDocs after = StoredVectorScan.top(reader, copies, USER, Set.of(OWNER), q, 10, null);
        for (ScoreDoc d : after.scoreDocs) {
          assertNotEquals(best, idOf(reader, d));
        }
        assertEquals(10, after.scoreDocs.length);
        assertEquals(held, copies.used(), "the segments are the same, so are their copies");
      }
    }
  }

  @Test
  @DisplayName("threads asking at once for a segment's copy share one read, counted once")
  void concurrentReadsShareOne() throws Exception {
    var copies = new QuantizedSegments(Long.MAX_VALUE);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try (var directory = FSDirectory.open(dir); var writer = writer(directory, null)) {
      write(writer, 1, 3_000);
      try (var reader = DirectoryReader.open(writer)) {
        var leaf = reader.leaves().get(0).reader();
        var asked = new ArrayList<java.util.concurrent.Future<QuantizedVectors>>();
        for (int i = 0; i < 4; i++) {
          asked.add(threads.submit(() -> copies.of(leaf)));
        }
        QuantizedVectors first = asked.get(0).get();
        for (var f : asked) {
          assertTrue(first == f.get(), "one copy for all");
        }
        assertEquals(first.bytes(), copies.used());
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  @DisplayName("a merged segment is read by the merge, and its first search finds the copy ready")
  void mergedSegmentsAreWarmed() throws IOException {
    var copies = new QuantizedSegments(Long.MAX_VALUE);
    try (var directory = FSDirectory.open(dir); var writer = writer(directory, copies::warm)) {
      write(writer, 3, 500);
      writer.forceMerge(1);
      long warmed = copies.used();
      assertEquals(QuantizedVectors.bytes(3_000, DIM), warmed, 2 * 64);
      try (var reader = DirectoryReader.open(writer)) {
        assertEquals(1, reader.leaves().size());
        StoredVectorScan.top(reader, copies, USER, Set.of(OWNER), queries.get(0), 10, null);
        assertEquals(warmed, copies.used(), "the search used the merge's copy rather than reading another");
      }
    }
  }

  @Test
  @DisplayName("codes decode to within half a step of each component; a vector equal to the mean has scale 0")
  void codesAreWithinHalfAStep() {
    float[] v = RandomVectors.unit(random, DIM);
    float[] mean = nearby();
    byte[] codes = new byte[DIM + 3];
    float scale = QuantizedVectors.encode(v, mean, codes, 3);
    for (int i = 0; i < DIM; i++) {
      assertEquals(v[i], mean[i] + scale * codes[3 + i], scale / 2 + 1e-7f, "component " + i);
    }
    assertEquals(0f, QuantizedVectors.encode(mean, mean, new byte[DIM], 0));
  }

  private static void assertSame(TopDocs expected, TopDocs actual) {
    assertEquals(expected.scoreDocs.length, actual.scoreDocs.length);
    for (int i = 0; i < expected.scoreDocs.length; i++) {
      assertEquals(expected.scoreDocs[i].doc, actual.scoreDocs[i].doc, "hit " + i);
      assertEquals(expected.scoreDocs[i].score, actual.scoreDocs[i].score, "score of hit " + i);
    }
  }

  /** How many of the true top 10 the codes alone would rank below 10th. */
  private static int roughTop10Misses(DirectoryReader reader, QuantizedSegments copies, float[] q, TopDocs truth)
      throws IOException {
    var rough = new TopHits<Integer>(10);
    var floor = QuantizedVectors.floor(10);
    for (var leaf : reader.leaves()) {
      QuantizedVectors copy = copies.of(leaf.reader());
      int[] rows = copy.rows(new ScopeVectors.Key(USER, OWNER));
      copy.scan(rows[0], rows[1], leaf.reader().getLiveDocs(), q, DotProduct.FASTEST, leaf.docBase, rough, floor);
    }
    List<Integer> top = rough.sorted((doc, score) -> doc);
    int missed = 0;
    for (ScoreDoc d : truth.scoreDocs) {
      missed += top.contains(d.doc) ? 0 : 1;
    }
    return missed;
  }

  /**
   * {@code segments} segments, each of {@code perOwner} passages of {@link #OWNER} and as many of {@link #OTHER},
   * their vectors in both large owners' fields by turns (a large owner's vectors are in one of them, but a segment
   * holds owners of both); returns {@link #OWNER}'s.
   */
  private List<IndexedPassage> write(IndexWriter writer, int segments, int perOwner) throws IOException {
    List<IndexedPassage> owned = new ArrayList<>();
    int seq = 0;
    for (int s = 0; s < segments; s++) {
      for (int i = 0; i < perOwner; i++) {
        for (UUID owner : List.of(OWNER, OTHER)) {
          var p = new IndexedPassage(UUID.randomUUID(), seq++, USER, owner, "passage " + seq, nearby());
          writer.addDocument(LuceneDocs.document(p, false, LuceneDocs.LARGE_FIELDS.get(i % 2)));
          if (owner.equals(OWNER)) {
            owned.add(p);
          }
        }
      }
      writer.flush();
    }
    return owned;
  }

  /**
   * Without a warmer, a writer that never merges; with one, Lucene's default merge policy, and the readers pooled as
   * in the store, whose searchers come from the writer (Lucene warms merged segments only then).
   */
  private static IndexWriter writer(FSDirectory directory, IndexWriter.IndexReaderWarmer warmer) throws IOException {
    var config = new IndexWriterConfig(new StandardAnalyzer());
    if (warmer == null) {
      config.setMergePolicy(NoMergePolicy.INSTANCE);
    } else {
      config.setMergedSegmentWarmer(warmer).setReaderPooling(true);
    }
    return new IndexWriter(directory, config);
  }

  private static UUID idOf(DirectoryReader reader, ScoreDoc d) throws IOException {
    return UUID.fromString(reader.storedFields().document(d.doc).get(LuceneDocs.ID));
  }

  /** The base vector plus noise of a twentieth of its length, made unit: a near-duplicate (cosines near 0.9975). */
  private float[] nearby() {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) (base[i] + 0.05 / Math.sqrt(DIM) * random.nextGaussian());
    }
    return VectorMath.normalize(v);
  }
}
