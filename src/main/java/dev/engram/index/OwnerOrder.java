package dev.engram.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.IntroSorter;

/**
 * The passages of each (user, owner) of a segment in the order they were stored ({@code seq}), for {@link
 * PassageContext}: the passages stored just before and after a hit are then a binary search and a step away, where a
 * query per hit and side (a range of seqs, sorted) cost about a quarter of a hybrid search at 100,000 memories of one
 * scope. A segment's order is built on its first use (a pass over its user and owner postings and seqs, and a sort:
 * 69 ms for a segment of 76,557 passages with the JIT cold, little for the small segments of recent writes) and kept
 * until the segment closes; segments never change, and their deletions are read at each lookup. Memory: 16 bytes per
 * passage.
 */
final class OwnerOrder {
  private final Map<IndexReader.CacheKey, Segment> segments = new ConcurrentHashMap<>();

  /** The order of {@code leaf}'s segment. */
  Segment of(LeafReaderContext leaf) throws IOException {
    IndexReader.CacheHelper helper = leaf.reader().getCoreCacheHelper();
    if (helper == null) { // not a segment of an index on disk: nothing to share it with
      return Segment.build(leaf.reader());
    }
    Segment cached = segments.get(helper.getKey());
    if (cached != null) {
      return cached;
    }
    Segment built = Segment.build(leaf.reader());
    if (segments.putIfAbsent(helper.getKey(), built) == null) {
      helper.addClosedListener(segments::remove);
    }
    return built;
  }

  /**
   * One segment's passages sorted by (user and owner, seq, doc): {@code docs[i]} and {@code seqs[i]} at position
   * {@code i}; group {@code g} (one user and owner) holds positions {@code ends[g - 1]} (0 for the first) up to
   * {@code ends[g]}; {@code positions[doc]} is a document's position, -1 for one without owner or seq.
   */
  static final class Segment {
    private final Map<String, Integer> groups;
    private final String[] keys;
    private final int[] ends;
    private final int[] docs;
    private final long[] seqs;
    private final int[] positions;

    private Segment(Map<String, Integer> groups, int[] ends, int[] docs, long[] seqs, int[] positions) {
      this.groups = groups;
      this.keys = new String[groups.size()];
      groups.forEach((key, g) -> keys[g] = key);
      this.ends = ends;
      this.docs = docs;
      this.seqs = seqs;
      this.positions = positions;
    }

    static Segment build(LeafReader reader) throws IOException {
      int maxDoc = reader.maxDoc();
      List<String> users = new ArrayList<>();
      int[] userOf = LuceneDocs.termOrdinals(reader, LuceneDocs.USER, users);
      List<String> owners = new ArrayList<>();
      int[] ownerOf = LuceneDocs.termOrdinals(reader, LuceneDocs.OWNER, owners);
      long[] seqOf = new long[maxDoc];
      boolean[] hasSeq = new boolean[maxDoc];
      NumericDocValues values = reader.getNumericDocValues(LuceneDocs.SEQ);
      if (values != null) {
        for (int d = values.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = values.nextDoc()) {
          seqOf[d] = values.longValue();
          hasSeq[d] = true;
        }
      }
      Map<String, Integer> groups = new HashMap<>();
      Map<Long, Integer> groupOfPair = new HashMap<>();
      int[] groupOf = new int[maxDoc];
      int[] order = new int[maxDoc];
      int n = 0;
      for (int d = 0; d < maxDoc; d++) {
        if (userOf[d] < 0 || ownerOf[d] < 0 || !hasSeq[d]) {
          continue;
        }
        long pair = ((long) userOf[d] << 32) | ownerOf[d];
        Integer g = groupOfPair.get(pair);
        if (g == null) {
          g = groupOfPair.size();
          groupOfPair.put(pair, g);
          groups.put(key(users.get(userOf[d]), owners.get(ownerOf[d])), g);
        }
        groupOf[d] = g;
        order[n++] = d;
      }
      int[] docs = Arrays.copyOf(order, n);
      new IntroSorter() {
        private int pivotGroup;
        private long pivotSeq;
        private int pivotDoc;

        @Override
        protected void setPivot(int i) {
          pivotDoc = docs[i];
          pivotGroup = groupOf[pivotDoc];
          pivotSeq = seqOf[pivotDoc];
        }

        @Override
        protected int comparePivot(int j) {
          int d = docs[j];
          int c = Integer.compare(pivotGroup, groupOf[d]);
          c = c != 0 ? c : Long.compare(pivotSeq, seqOf[d]);
          return c != 0 ? c : Integer.compare(pivotDoc, d);
        }

        @Override
        protected void swap(int i, int j) {
          int t = docs[i];
          docs[i] = docs[j];
          docs[j] = t;
        }
      }.sort(0, n);
      int[] ends = new int[groups.size()];
      long[] seqs = new long[n];
      int[] positions = new int[maxDoc];
      Arrays.fill(positions, -1);
      for (int i = 0; i < n; i++) {
        seqs[i] = seqOf[docs[i]];
        positions[docs[i]] = i;
        ends[groupOf[docs[i]]] = i + 1;
      }
      return new Segment(groups, ends, docs, seqs, positions);
    }

    private static String key(String user, String owner) {
      return user + '/' + owner;
    }

    /** The group of {@code doc}'s user and owner, or -1. */
    int groupOf(int doc) {
      int p = positions[doc];
      if (p < 0) {
        return -1;
      }
      int g = Arrays.binarySearch(ends, p);
      return g >= 0 ? g + 1 : -g - 1; // a position equal to an end belongs to the next group
    }

    /** The user and owner of a group, as a key that {@link #group} takes in any segment. */
    String key(int group) {
      return keys[group];
    }

    /** The group of this segment with the key, or -1. */
    int group(String key) {
      return groups.getOrDefault(key, -1);
    }

    long seqOf(int doc) {
      return seqs[positions[doc]];
    }

    /**
     * Adds to {@code out} the up to {@code n} live passages of {@code group} nearest to {@code seq} on one side (seq
     * below it when {@code before}, else above), nearest first, as hits of this segment.
     */
    void nearest(int group, long seq, boolean before, int n, Bits live, int docBase, List<Neighbour> out) {
      int from = group == 0 ? 0 : ends[group - 1];
      int to = ends[group];
      int first = lowerBound(from, to, seq); // the first position with a seq of at least seq
      int step = before ? -1 : 1;
      int i = first - 1;
      if (!before) {
        for (i = first; i < to && seqs[i] == seq; i++) {
          // the hit itself
        }
      }
      for (int found = 0; found < n && i >= from && i < to; i += step) {
        if (live == null || live.get(docs[i])) {
          out.add(new Neighbour(docBase + docs[i], seqs[i]));
          found++;
        }
      }
    }

    private int lowerBound(int from, int to, long seq) {
      int lo = from;
      int hi = to;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (seqs[mid] < seq) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }

  /** A passage near a hit: its doc id in the whole index and its seq. */
  record Neighbour(int doc, long seq) {}
}
