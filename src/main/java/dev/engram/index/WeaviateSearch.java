package dev.engram.index;

import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.index.RankFusion.Scored;
import io.weaviate.client6.v1.api.collections.CollectionHandle;
import io.weaviate.client6.v1.api.collections.WeaviateObject;
import io.weaviate.client6.v1.api.collections.query.Filter;
import io.weaviate.client6.v1.api.collections.query.Metadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One search in one user's tenant: near-vector (score = cosine similarity = 1 - cosine distance), BM25 over
 * {@code text} (Weaviate's score), or both fused here by {@link RankFusion#relative} with the same weights as the
 * Lucene index, always restricted to the query's owners. Weaviate tokenizes and scores the text itself: the query
 * stop words and the feedback of the Lucene index ({@link TextAnalysis}, {@link TextFeedback}) do not apply.
 */
final class WeaviateSearch {
  private final CollectionHandle<Map<String, Object>> tenant;
  private final int hybridDepth;
  private final double textWeight;

  WeaviateSearch(CollectionHandle<Map<String, Object>> tenant, int hybridDepth, double textWeight) {
    this.tenant = tenant;
    this.hybridDepth = hybridDepth;
    this.textWeight = textWeight;
  }

  List<ScoredPassage> search(PassageQuery q) {
    SearchMode mode = QueryModes.effective(q);
    if (mode == null) {
      return List.of();
    }
    Filter owners = Filter.property(WeaviateIndex.OWNER)
        .containsAny(q.owners().stream().map(UUID::toString).toList());
    switch (mode) {
      case VECTOR:
        return vector(q.vector(), owners, q.limit());
      case TEXT:
        return text(q.text(), owners, q.limit());
      default:
        int depth = Math.max(q.limit(), hybridDepth);
        var fused = RankFusion.relative(q.limit(), new double[] {textWeight, 1 - textWeight},
            List.of(scored(text(q.text(), owners, depth)), scored(vector(q.vector(), owners, depth))));
        return fused.stream().map(f -> new ScoredPassage(f.item(), f.score())).toList();
    }
  }

  private List<ScoredPassage> vector(float[] vector, Filter owners, int n) {
    var res = tenant.query.nearVector(vector,
        q -> q.limit(n).filters(owners).returnProperties(WeaviateIndex.SEQ).returnMetadata(Metadata.DISTANCE));
    var out = new ArrayList<ScoredPassage>();
    for (WeaviateObject<Map<String, Object>> o : res.objects()) {
      Float d = o.queryMetadata().distance();
      out.add(new ScoredPassage(UUID.fromString(o.uuid()), d == null ? 0 : 1.0 - d));
    }
    return out;
  }

  private List<ScoredPassage> text(String text, Filter owners, int n) {
    var res = tenant.query.bm25(text, q -> q.queryProperties(WeaviateIndex.TEXT).limit(n).filters(owners)
        .returnProperties(WeaviateIndex.SEQ).returnMetadata(Metadata.SCORE));
    var out = new ArrayList<ScoredPassage>();
    for (WeaviateObject<Map<String, Object>> o : res.objects()) {
      Float s = o.queryMetadata().score();
      out.add(new ScoredPassage(UUID.fromString(o.uuid()), s == null ? 0 : s));
    }
    return out;
  }

  private static List<Scored<UUID>> scored(List<ScoredPassage> hits) {
    return hits.stream().map(h -> new Scored<>(h.id(), h.score())).toList();
  }
}
