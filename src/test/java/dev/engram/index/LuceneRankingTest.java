package dev.engram.index;

import static dev.engram.index.IndexFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the Lucene index ranks: query stop words; in hybrid search BM25 feedback, relative fusion, neighbour context. */
class LuceneRankingTest {
  @TempDir
  Path tmp;

  private final Vertx vertx = Vertx.vertx();
  private final UUID user = UUID.randomUUID();
  private final UUID agent = UUID.randomUUID();
  private final List<LuceneIndex> opened = new ArrayList<>();
  private long seq;

  @AfterEach
  void close() {
    opened.forEach(LuceneIndex::close);
    await(vertx.close());
  }

  private LuceneIndex index(LuceneTuning tuning, List<IndexedPassage> passages) {
    var index = new LuceneIndex(vertx, tmp.resolve("index-" + opened.size()), tuning);
    opened.add(index);
    await(index.upsert(passages));
    return index;
  }

  private IndexedPassage passage(UUID owner, String text, float[] vector) {
    return new IndexedPassage(UUID.randomUUID(), ++seq, user, owner, text, vector);
  }

  private static List<ScoredPassage> search(LuceneIndex index, Set<UUID> owners, UUID user, SearchMode mode,
      String text, float[] vector) {
    return await(index.search(new PassageQuery(user, owners, text, vector, mode, 10)));
  }

  /** Unrelated passages of another agent: they make the words of the test rare, as in a real index. */
  private List<IndexedPassage> filler() {
    UUID other = UUID.randomUUID();
    List<IndexedPassage> out = new ArrayList<>();
    for (String s : List.of("the train to the airport was late again", "pancakes with blueberries for breakfast",
        "the printer on the third floor is out of toner", "a long walk along the beach at sunset",
        "the quarterly report is due on friday", "my sister adopted a grey kitten", "new tyres for the bicycle",
        "the concert tickets sold out in minutes")) {
      out.add(passage(other, s, axis(7)));
    }
    return out;
  }

  @Test
  @DisplayName("question words, auxiliaries and pronouns of a query do not match on their own")
  void questionWordsDoNotMatch() {
    var answer = passage(agent, "Anna moved to Berlin in May", axis(0));
    var chatter = passage(agent, "what did you do when the lights went out", axis(1));
    var passages = new ArrayList<>(filler());
    passages.addAll(List.of(answer, chatter));
    var index = index(LuceneTuning.DEFAULTS, passages);
    assertEquals(List.of(answer.id()),
        ids(search(index, Set.of(agent), user, SearchMode.TEXT, "When did she move to Berlin?", null)));
    assertEquals(List.of(), search(index, Set.of(agent), user, SearchMode.TEXT, "What did you do?", null));
    // "may" is a month, not a stop word
    assertEquals(List.of(answer.id()), ids(search(index, Set.of(agent), user, SearchMode.TEXT, "in May", null)));
  }

  @Test
  @DisplayName("hybrid BM25 feedback raises a passage that shares the best hits' rare words but none of the query's")
  void feedbackFindsRelatedWords() {
    var first = passage(agent, "Anna bought a kayak from Lindqvist at the harbour", axis(0));
    var second = passage(agent, "the kayak has bright orange Lindqvist paddles", axis(0));
    var related = passage(agent, "Lindqvist sells orange paddles at the harbour", axis(2));
    var unrelated = passage(agent, "the harbour is busy in summer", axis(2));
    var passages = new ArrayList<>(filler());
    passages.addAll(List.of(first, second, related, unrelated));
    var tuning = LuceneTuning.DEFAULTS.withContextWeight(0);
    var on = search(index(tuning, passages), Set.of(agent), user, SearchMode.HYBRID, "kayak", axis(0));
    assertEquals(Set.of(first.id(), second.id()), Set.copyOf(ids(on).subList(0, 2)));
    assertEquals(related.id(), on.get(2).id());
    assertEquals(unrelated.id(), on.get(3).id());
    assertTrue(on.get(2).score() > on.get(3).score(), on.toString());

    var off = search(index(tuning.withFeedback(TextFeedback.Settings.OFF), passages), Set.of(agent), user,
        SearchMode.HYBRID, "kayak", axis(0));
    assertEquals(0.0, off.get(2).score(), 1e-6);
    assertEquals(0.0, off.get(3).score(), 1e-6);
    // TEXT stays a keyword search: every hit has a query word
    var text = search(index(tuning, passages), Set.of(agent), user, SearchMode.TEXT, "kayak", null);
    assertEquals(Set.of(first.id(), second.id()), Set.copyOf(ids(text)));
  }

  @Test
  @DisplayName("feedback and neighbour context stay within the user, even under the same owner id")
  void feedbackStaysWithinTheUser() {
    var mine = passage(agent, "the kayak club meets at Lindqvist harbour", axis(0));
    UUID stranger = UUID.randomUUID();
    var theirs = new IndexedPassage(UUID.randomUUID(), ++seq, stranger, agent, "Lindqvist harbour kayak", axis(0));
    var passages = new ArrayList<>(filler());
    passages.addAll(List.of(mine, theirs));
    var index = index(LuceneTuning.DEFAULTS, passages);
    for (SearchMode mode : List.of(SearchMode.TEXT, SearchMode.HYBRID)) {
      assertEquals(List.of(mine.id()), ids(search(index, Set.of(agent), user, mode, "kayak", axis(0))), mode.name());
    }
  }

  @Test
  @DisplayName("hybrid scores are relative: 0.7 x rescaled BM25 + 0.3 x rescaled cosine, 1 for a hit best in both")
  void hybridScoresAreRelative() {
    var both = passage(agent, "volcano volcano", axis(0));
    var textOnly = passage(agent, "a volcano was in the news today", axis(4));
    var vectorOnly = passage(agent, "hot lava", unit(1, 1, 0, 0, 0, 0, 0, 0));
    var neither = passage(agent, "tea", axis(5));
    // fusion alone: no feedback, no context
    var tuning = LuceneTuning.DEFAULTS.withContextWeight(0).withFeedback(TextFeedback.Settings.OFF);
    var hits = search(index(tuning, List.of(both, textOnly, vectorOnly, neither)), Set.of(agent), user,
        SearchMode.HYBRID, "volcano", axis(0));
    assertEquals(List.of(both.id(), vectorOnly.id()), ids(hits).subList(0, 2));
    assertEquals(1.0, hits.get(0).score(), 1e-6);
    // the cosines 1, 0.707, 0, 0 rescale to 1, 0.707, 0, 0; "hot lava" has no BM25 score
    assertEquals(0.3 * Math.sqrt(0.5), hits.get(1).score(), 1e-3);
    for (ScoredPassage h : hits.subList(2, hits.size())) {
      assertEquals(0.0, h.score(), 1e-6);
    }
  }

  @Test
  @DisplayName("neighbour context: the passages its owner stored just before and after a strong hit rise, and half as much two places away")
  void neighbourContext() {
    UUID other = UUID.randomUUID();
    var before = passage(agent, "we planned a weekend away", axis(3));
    var hit = passage(agent, "we hiked up the volcano", axis(0));
    var between = passage(other, "an unrelated note of another agent", axis(4));
    var reply = passage(agent, "it took us six hours to reach the top", axis(5));
    var later = passage(agent, "the cat likes fish", axis(6));
    List<IndexedPassage> passages = List.of(before, hit, between, reply, later);
    var hits = search(index(LuceneTuning.DEFAULTS, passages), Set.of(agent, other), user, SearchMode.HYBRID,
        "volcano", axis(0));
    assertEquals(hit.id(), hits.get(0).id());
    assertEquals(Set.of(before.id(), reply.id()), Set.copyOf(ids(hits).subList(1, 3)));
    double lent = LuceneTuning.DEFAULTS.contextWeight() * hits.get(0).score();
    assertEquals(lent, hits.get(1).score(), 1e-6);
    assertEquals(lent, hits.get(2).score(), 1e-6);
    var byId = hits.stream().collect(java.util.stream.Collectors.toMap(ScoredPassage::id, ScoredPassage::score));
    assertEquals(0.0, byId.get(between.id()), 1e-6, "another owner's passage borrows nothing");
    assertEquals(lent / 2, byId.get(later.id()), 1e-6, "two places away (reach 2): half as much");

    var reachOne = search(index(LuceneTuning.DEFAULTS.withContextReach(1), passages), Set.of(agent, other), user,
        SearchMode.HYBRID, "volcano", axis(0));
    var oneById = reachOne.stream().collect(java.util.stream.Collectors.toMap(ScoredPassage::id,
        ScoredPassage::score));
    assertEquals(lent, oneById.get(reply.id()), 1e-6);
    assertEquals(0.0, oneById.get(later.id()), 1e-6, "reach 1: only the passages just before and after");

    var without = search(index(LuceneTuning.DEFAULTS.withContextWeight(0), passages), Set.of(agent, other), user,
        SearchMode.HYBRID, "volcano", axis(0));
    assertEquals(hit.id(), without.get(0).id());
    assertEquals(0.0, without.get(1).score(), 1e-6);
  }

  @Test
  @DisplayName("neighbour context finds the owner's nearest passages in other segments, past a deleted one and a gap in seqs")
  void neighbourContextAcrossSegments() {
    var index = index(LuceneTuning.DEFAULTS.withContextReach(1), filler());
    var before = new IndexedPassage(UUID.randomUUID(), 1_000, user, agent, "we planned a weekend away", axis(3));
    var hit = new IndexedPassage(UUID.randomUUID(), 1_001, user, agent, "we hiked up the volcano", axis(0));
    var gone = new IndexedPassage(UUID.randomUUID(), 1_002, user, agent, "a note deleted later", axis(4));
    var reply = new IndexedPassage(UUID.randomUUID(), 5_000_000, user, agent, "it took us six hours", axis(5));
    // one write and one search (which makes the write visible: a new segment) at a time
    for (IndexedPassage p : List.of(reply, hit, gone, before)) {
      await(index.upsert(List.of(p)));
      search(index, Set.of(agent), user, SearchMode.TEXT, "volcano", null);
    }
    await(index.delete(List.of(gone.id())));
    assertTrue(await(index.segmentCount()) > 1, "the passages are spread over segments");

    var hits = search(index, Set.of(agent), user, SearchMode.HYBRID, "volcano", axis(0));
    assertEquals(hit.id(), hits.get(0).id());
    double lent = LuceneTuning.DEFAULTS.contextWeight() * hits.get(0).score();
    assertEquals(Set.of(before.id(), reply.id()), Set.copyOf(ids(hits).subList(1, 3)));
    assertEquals(lent, hits.get(1).score(), 1e-6);
    assertEquals(lent, hits.get(2).score(), 1e-6);
    assertFalse(ids(hits).contains(gone.id()), "a deleted passage is nobody's neighbour");
  }
}
