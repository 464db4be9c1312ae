package dev.engram.index;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.testkit.RandomVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HNSW field is written under our format's name, so that searches open it with our scorer. */
class GraphVectorsFormatTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("segments of the HNSW field name our format, Lucene's service loader opens it, and graphs answer;"
      + " its files are mapped, never held by the segment cache")
  void writtenAndReadUnderItsOwnName() throws Exception {
    assertInstanceOf(GraphVectorsFormat.class, KnnVectorsFormat.forName(GraphVectorsFormat.NAME));
    Random random = new Random(3);
    List<IndexedPassage> passages = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      passages.add(new IndexedPassage(UUID.randomUUID(), i, new UUID(1, 1), new UUID(2, 2), "text " + i,
          RandomVectors.unit(random, 64)));
    }
    try (var cache = new SegmentCache(FSDirectory.open(dir));
        var writer = new IndexWriter(cache, new IndexWriterConfig(new StandardAnalyzer())
            .setCodec(VectorCodec.create(LuceneTuning.DEFAULTS, null)))) {
      for (IndexedPassage p : passages) {
        writer.addDocument(LuceneDocs.document(p, false, LuceneDocs.VECTOR));
      }
      try (var nrt = DirectoryReader.open(writer)) { // a flushed segment, not committed: what the cache holds
        assertTrue(cache.listCachedFiles().length > 0, "the segment's other files are cached");
        assertTrue(Arrays.stream(cache.listCachedFiles()).noneMatch(f -> f.contains(GraphVectorsFormat.NAME)),
            Arrays.toString(cache.listCachedFiles()));
      }
      writer.commit();
    }
    try (var reader = DirectoryReader.open(FSDirectory.open(dir))) { // read as a restart reads it
      var field = reader.leaves().get(0).reader().getFieldInfos().fieldInfo(LuceneDocs.VECTOR);
      assertEquals(GraphVectorsFormat.NAME, field.getAttribute(PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY));
      TopDocs top = new IndexSearcher(reader).search(
          new KnnFloatVectorQuery(LuceneDocs.VECTOR, passages.get(42).vector(), 5), 5);
      assertEquals(passages.get(42).id().toString(),
          reader.storedFields().document(top.scoreDocs[0].doc).get(LuceneDocs.ID));
      assertEquals(1f, top.scoreDocs[0].score, 1e-5f);
    }
  }
}
