package dev.engram.index;

import dev.engram.index.RankFusion.Fused;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;

/**
 * Neighbour context for hybrid search. Passages that one owner stored one after another belong together more often
 * than not: the chunks of one document, the memories an agent saved during one conversation, the turns of one
 * exchange. A question is often answered by a passage whose own words differ from it but whose neighbour matches (a
 * reply to a matching remark, the chunk after a matching heading). So each of the best hits lends a share of its
 * score to the passage stored just before and just after it by the same owner: a passage's score becomes {@code
 * score + weight * (the best score among its two neighbours)}, a passage outside the fused list counting 0 itself.
 * "Just before" and "just after" follow {@code seq}, the order in which passages were stored. With a reach above 1
 * the passages further away borrow too, half as much for each place further: {@code score + weight * max over the
 * neighbours within reach of (their score * 0.5^(distance - 1))}.
 */
final class PassageContext {
  /** How many of the best fused hits lend to their neighbours at most. */
  static final int LENDERS = 20;
  private static final Set<String> OWNER_SEQ = Set.of(LuceneDocs.OWNER, LuceneDocs.SEQ);

  private PassageContext() {}

  /**
   * {@code fused} (Lucene doc ids, best first) rescored with neighbour context, best first; the best {@code
   * min(limit, LENDERS)} hits lend. The hits are passages of {@code user}, and so are the neighbours.
   */
  static List<Fused<Integer>> rescore(IndexSearcher searcher, String user, List<Fused<Integer>> fused, int limit,
      double weight) throws IOException {
    return rescore(searcher, user, fused, limit, weight, 1);
  }

  /** As {@link #rescore(IndexSearcher, String, List, int, double)}, passages up to {@code reach} places away. */
  static List<Fused<Integer>> rescore(IndexSearcher searcher, String user, List<Fused<Integer>> fused, int limit,
      double weight, int reach) throws IOException {
    Map<Integer, Double> own = new LinkedHashMap<>();
    for (Fused<Integer> f : fused) {
      own.put(f.item(), f.score());
    }
    // neighbour doc -> the share (0.5^(distance - 1)) it takes of a lender's score
    Map<Integer, Map<Integer, Double>> neighbours = new HashMap<>();
    for (int i = 0; i < Math.min(Math.min(limit, LENDERS), fused.size()); i++) {
      int doc = fused.get(i).item();
      List<List<Integer>> sides = neighbours(searcher, user, doc, Math.max(1, reach));
      for (List<Integer> side : sides) {
        double share = 1;
        for (int n : side) {
          neighbours.computeIfAbsent(doc, d -> new LinkedHashMap<>()).merge(n, share, Math::max);
          neighbours.computeIfAbsent(n, d -> new LinkedHashMap<>()).merge(doc, share, Math::max);
          share /= 2;
        }
      }
    }
    List<Integer> order = new ArrayList<>(own.keySet());
    for (int doc : neighbours.keySet()) {
      if (!own.containsKey(doc)) {
        order.add(doc);
      }
    }
    Map<Integer, Double> rescored = new HashMap<>();
    for (int doc : order) {
      double lent = 0;
      for (Map.Entry<Integer, Double> n : neighbours.getOrDefault(doc, Map.of()).entrySet()) {
        lent = Math.max(lent, own.getOrDefault(n.getKey(), 0.0) * n.getValue());
      }
      rescored.put(doc, own.getOrDefault(doc, 0.0) + weight * lent);
    }
    Map<Integer, Integer> rank = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      rank.put(order.get(i), i);
    }
    order.sort(Comparator.<Integer>comparingDouble(d -> -rescored.get(d)).thenComparingInt(rank::get));
    var out = new ArrayList<Fused<Integer>>(Math.min(limit, order.size()));
    for (int i = 0; i < Math.min(limit, order.size()); i++) {
      out.add(new Fused<>(order.get(i), rescored.get(order.get(i))));
    }
    return out;
  }

  /**
   * The up to {@code reach} passages stored before and after {@code doc} by its owner: two lists (before, after),
   * each nearest first.
   */
  private static List<List<Integer>> neighbours(IndexSearcher searcher, String user, int doc, int reach)
      throws IOException {
    Document d = searcher.storedFields().document(doc, OWNER_SEQ);
    String owner = d.get(LuceneDocs.OWNER);
    if (owner == null || d.getField(LuceneDocs.SEQ) == null) {
      return List.of();
    }
    long seq = d.getField(LuceneDocs.SEQ).numericValue().longValue();
    return List.of(nearest(searcher, user, owner, seq, true, reach),
        nearest(searcher, user, owner, seq, false, reach));
  }

  /** The first window of seqs searched for neighbours; each miss widens it eightfold, up to the last. */
  private static final long FIRST_WINDOW = 256;
  private static final long LAST_WINDOW = FIRST_WINDOW << 15;

  /**
   * The {@code n} passages of the owner nearest to {@code seq} on one side, nearest first. An open-ended range would
   * match half of the owner's passages and sort them all (O(N) per hit: most of a search's time at 100,000 memories of
   * one scope); seqs of one owner are usually close together, so a small window around {@code seq} finds them, and
   * windows that find too few grow, ending with the open-ended range.
   */
  private static List<Integer> nearest(IndexSearcher searcher, String user, String owner, long seq, boolean before,
      int n) throws IOException {
    for (long window = FIRST_WINDOW; window <= LAST_WINDOW; window *= 8) {
      List<Integer> found = nearest(searcher, sameOwner(user, owner, before ? seq - window : seq + 1,
          before ? seq - 1 : seq + window), before, n);
      if (found.size() >= n) {
        return found;
      }
    }
    return nearest(searcher, sameOwner(user, owner, before ? Long.MIN_VALUE : seq + 1,
        before ? seq - 1 : Long.MAX_VALUE), before, n);
  }

  /** Passages of {@code user} and {@code owner} with seq in the range (owner ids are not unique across users). */
  private static Query sameOwner(String user, String owner, long fromSeq, long toSeq) {
    return new BooleanQuery.Builder()
        .add(new TermQuery(new Term(LuceneDocs.USER, user)), Occur.FILTER)
        .add(new TermQuery(new Term(LuceneDocs.OWNER, owner)), Occur.FILTER)
        .add(LongPoint.newRangeQuery(LuceneDocs.SEQ, fromSeq, toSeq), Occur.FILTER)
        .build();
  }

  private static List<Integer> nearest(IndexSearcher searcher, Query query, boolean latest, int n)
      throws IOException {
    ScoreDoc[] top = searcher.search(query, n, new Sort(new SortField(LuceneDocs.SEQ, SortField.Type.LONG, latest)))
        .scoreDocs;
    var out = new ArrayList<Integer>(top.length);
    for (ScoreDoc s : top) {
      out.add(s.doc);
    }
    return out;
  }
}
