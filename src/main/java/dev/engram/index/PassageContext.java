package dev.engram.index;

import dev.engram.index.OwnerOrder.Neighbour;
import dev.engram.index.RankFusion.Fused;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;

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

  private PassageContext() {}

  /**
   * {@code fused} (Lucene doc ids, best first) rescored with neighbour context, best first; the best {@code
   * min(limit, LENDERS)} hits lend to the passages of their user and owner up to {@code reach} places before and after
   * them in {@code ownerOrder}.
   */
  static List<Fused<Integer>> rescore(IndexSearcher searcher, OwnerOrder ownerOrder, List<Fused<Integer>> fused,
      int limit, double weight, int reach) throws IOException {
    Map<Integer, Double> own = new LinkedHashMap<>();
    for (Fused<Integer> f : fused) {
      own.put(f.item(), f.score());
    }
    // neighbour doc -> the share (0.5^(distance - 1)) it takes of a lender's score
    Map<Integer, Map<Integer, Double>> neighbours = new HashMap<>();
    for (int i = 0; i < Math.min(Math.min(limit, LENDERS), fused.size()); i++) {
      int doc = fused.get(i).item();
      List<List<Integer>> sides = neighbours(searcher, ownerOrder, doc, Math.max(1, reach));
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
   * each nearest first. Every segment may hold some of them (a merge can join segments of any age), so each gives
   * its nearest on each side and the nearest of all are kept.
   */
  private static List<List<Integer>> neighbours(IndexSearcher searcher, OwnerOrder order, int doc, int reach)
      throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    LeafReaderContext home = leaves.get(ReaderUtil.subIndex(doc, leaves));
    OwnerOrder.Segment own = order.of(home);
    int group = own.groupOf(doc - home.docBase);
    if (group < 0) {
      return List.of();
    }
    String key = own.key(group);
    long seq = own.seqOf(doc - home.docBase);
    List<Neighbour> before = new ArrayList<>();
    List<Neighbour> after = new ArrayList<>();
    for (LeafReaderContext leaf : leaves) {
      OwnerOrder.Segment segment = leaf == home ? own : order.of(leaf);
      int g = leaf == home ? group : segment.group(key);
      if (g >= 0) {
        Bits live = leaf.reader().getLiveDocs();
        segment.nearest(g, seq, true, reach, live, leaf.docBase, before);
        segment.nearest(g, seq, false, reach, live, leaf.docBase, after);
      }
    }
    return List.of(nearest(before, true, reach), nearest(after, false, reach));
  }

  /** The docs of the {@code n} neighbours nearest to the hit, nearest first (seq descending {@code before} it). */
  private static List<Integer> nearest(List<Neighbour> found, boolean before, int n) {
    Comparator<Neighbour> bySeq = Comparator.comparingLong(Neighbour::seq);
    found.sort(before ? bySeq.reversed() : bySeq);
    var out = new ArrayList<Integer>(Math.min(n, found.size()));
    for (int i = 0; i < Math.min(n, found.size()); i++) {
      out.add(found.get(i).doc());
    }
    return out;
  }
}
