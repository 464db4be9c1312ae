package dev.engram.index;

import dev.engram.index.ScopeVectors.Key;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;

/**
 * An exact vector search of large owners over the vectors Lucene stores for them (in {@link LuceneDocs#LARGE_VECTOR},
 * or with their HNSW graph in {@link LuceneDocs#VECTOR}). Large owners go to the first while the codes' budget has
 * room for them ({@link #placement}): no graph to build at each add and merge, and every search of them, the vector
 * half of a hybrid one too, is this scan. In the HNSW field a vector search asks
 * HNSW for {@code n * VECTOR_OVERSAMPLE} candidates, and on near-duplicate memories that walk costs more than reading
 * every vector while still missing true neighbours (100,000 vectors: recall@10 0.924 with 1,000 candidates in 34 ms
 * against an exact scan of the stored floats in 22 ms, loaded machine); so a scan answers instead, up to {@link
 * #LIMIT} vectors and while their byte codes can fit the budget of {@link QuantizedSegments} ({@link #scans}). At
 * 1,000,000 vectors of 384 dimensions the codes take 384 MB and one core reads them in about 54 ms (about half that
 * with the search workers sharing it); HNSW's 1,000 candidates found 0.833 of the true top 10 of 700,000
 * near-duplicates in 36 ms, where the scan took 38 ({@code scripts/bench.sh scan --sizes 700000}). The vector half of a
 * hybrid search of an owner in the HNSW field keeps its narrow HNSW walk (100 candidates), which fusion barely
 * notices missing.
 *
 * <p>The scan reads each segment's {@link QuantizedVectors} where {@link QuantizedSegments} holds them (each owner's
 * rows of the copy, not the postings): it keeps the best {@link #candidates} by their approximate score, then scores
 * those again from the stored floats and keeps the best {@code n}, the same scores Lucene gives. A segment without a
 * copy is scored from its floats directly.
 */
final class StoredVectorScan {
  /**
   * Owners in the HNSW field of up to this many vectors in all ({@link LuceneDocs#ownedDocs}) are scanned by a vector
   * search; larger ones are left to HNSW. Owners in {@link LuceneDocs#LARGE_VECTOR} are scanned at any size.
   */
  static final long LIMIT = 1_000_000;
  /** See {@link #candidates}. */
  static final int EXTRA_CANDIDATES = 100;

  private StoredVectorScan() {}

  /**
   * Whether a vector search of owners holding {@code vectors} vectors of {@code dim} dimensions in all is a scan: up
   * to {@link #LIMIT}, and only while their copy ({@link QuantizedVectors#bytes}) can fit the budget of {@code
   * quantized} (null: no copies are kept, every scan reads the floats). Past the budget most segments would be scanned
   * from their floats, four times the bytes of the codes (about 130 ms at 1,000,000), and HNSW answers instead.
   */
  static boolean scans(long vectors, int dim, QuantizedSegments quantized) {
    return vectors <= LIMIT && (quantized == null || QuantizedVectors.bytes(vectors, dim) <= quantized.budget());
  }

  /**
   * Where the vectors of an owner that outgrows exact search go ({@link ScopeVectors.Placement}): to {@link
   * LuceneDocs#LARGE_VECTOR} while the codes' budget has room for {@link #GROWTH_ROOM} times its vectors besides the
   * copies already read (it keeps growing, and other owners grow too), else to the HNSW field. An owner in {@link
   * LuceneDocs#LARGE_VECTOR} stays there: past the budget its segments are scanned from their floats, slower (four
   * times the bytes) but still exact, so the room asked for at the move is generous. With embeddings of 1,536
   * dimensions an owner crossing 50,000 asks for 307 MB: a heap of 2.4 GB or more.
   */
  static ScopeVectors.Placement placement(QuantizedSegments quantized) {
    return (vectors, dim) -> quantized.used() + QuantizedVectors.bytes((long) GROWTH_ROOM * vectors, dim)
        <= quantized.budget() ? LuceneDocs.LARGE_VECTOR : LuceneDocs.VECTOR;
  }

  /** See {@link #placement}. */
  static final int GROWTH_ROOM = 4;

  /**
   * How many approximate hits are scored again for a top {@code n}: {@code n} more than asked for, at least {@link
   * #EXTRA_CANDIDATES} more. A true hit is lost only if that many others outrank it by their codes: the codes' error
   * would have to exceed its lead over all of them. On 100,000 near-duplicate memories (scripts/bench.sh side-by-side)
   * recall@10 stayed 1.0000.
   */
  static int candidates(int n) {
    return n + Math.max(n, EXTRA_CANDIDATES);
  }

  /**
   * The best {@code n} of {@code user}'s passages of {@code owners} in the large owners' fields, scored as Lucene
   * scores them.
   * The byte codes are scanned in {@link SharedScan#CHUNK_ROWS} chunks on this thread and, when it is free, on
   * {@code helper}'s (null: this thread alone).
   */
  static TopDocs top(IndexReader reader, QuantizedSegments quantized, UUID user, Collection<UUID> owners,
      float[] query, int n, Executor helper) throws IOException {
    DotProduct kernel = DotProduct.FASTEST;
    var best = new TopHits<Integer>(n);
    List<Stretch> chunks = new ArrayList<>();
    List<LeafReaderContext> leaves = reader.leaves();
    for (LeafReaderContext leaf : leaves) {
      QuantizedVectors copy = quantized == null ? null : quantized.of(leaf.reader());
      if (copy != null) {
        for (UUID owner : new HashSet<>(owners)) {
          int[] rows = copy.rows(new Key(user, owner));
          if (rows != null) {
            for (int from = rows[0]; from < rows[1]; from += SharedScan.CHUNK_ROWS) {
              chunks.add(new Stretch(copy, leaf, from, Math.min(rows[1], from + SharedScan.CHUNK_ROWS)));
            }
          }
        }
      } else {
        for (String field : LuceneDocs.LARGE_FIELDS) {
          OwnedVectors.forEachIn(leaf, field, user, owners, (l, doc, values) -> {
            float score = score(kernel, query, values);
            if (score > best.floor()) {
              best.offer(score, l.docBase + doc);
            }
            return true;
          });
        }
      }
    }
    var floor = QuantizedVectors.floor(candidates(n));
    TopHits<Integer> rough = SharedScan.run(chunks.size(), candidates(n), (chunk, into) -> {
      Stretch s = chunks.get(chunk);
      s.copy.scan(s.from, s.to, s.leaf.reader().getLiveDocs(), query, kernel, s.leaf.docBase, into, floor);
    }, helper);
    rescore(leaves, rough.sorted((doc, score) -> doc), query, best);
    ScoreDoc[] out = best.sorted(ScoreDoc::new).toArray(ScoreDoc[]::new);
    return new TopDocs(new TotalHits(out.length, TotalHits.Relation.EQUAL_TO), out);
  }

  /** Rows {@code [from, to)} of a segment's copy. */
  private record Stretch(QuantizedVectors copy, LeafReaderContext leaf, int from, int to) {}

  /** Scores the documents (top-level ids) from their stored floats into {@code best}. */
  private static void rescore(List<LeafReaderContext> leaves, List<Integer> docs, float[] query,
      TopHits<Integer> best) throws IOException {
    int[] sorted = docs.stream().mapToInt(Integer::intValue).sorted().toArray();
    int i = 0;
    while (i < sorted.length) {
      LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sorted[i], leaves));
      int end = leaf.docBase + leaf.reader().maxDoc();
      List<FloatVectorValues> fields = new ArrayList<>(2);
      for (String field : LuceneDocs.LARGE_FIELDS) {
        FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
        if (values != null) {
          fields.add(values);
        }
      }
      for (; i < sorted.length && sorted[i] < end; i++) {
        for (FloatVectorValues values : fields) { // a document has its vector in one of them
          if (OwnedVectors.at(values, sorted[i] - leaf.docBase)) {
            best.offer(score(DotProduct.FASTEST, query, values), sorted[i]);
            break;
          }
        }
      }
    }
  }

  /** Lucene's DOT_PRODUCT score of the vector {@code values} is on. */
  private static float score(DotProduct kernel, float[] query, FloatVectorValues values) throws IOException {
    if (values.dimension() != query.length) {
      throw new IllegalArgumentException("vector field has " + values.dimension() + " dimensions, the query "
          + query.length);
    }
    return (1 + kernel.dot(query, values.vectorValue(), 0)) / 2;
  }
}
