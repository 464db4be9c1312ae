package dev.engram.index;

import static dev.engram.index.IndexFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.index.PassageIndex.IndexStats;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.kernel.ApiException;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link PassageIndex} backend must do. A subclass says how to open a fresh, empty index; the tests use
 * small deterministic unit vectors (8 dimensions), so the expected neighbours are known exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PassageIndexContract {
  protected Vertx vertx;
  protected PassageIndex index;
  private final UUID user = UUID.randomUUID();
  private final UUID agent = UUID.randomUUID();
  private long seq;

  /** A new, empty index for one test. */
  protected abstract PassageIndex open(Vertx vertx) throws Exception;

  @BeforeAll
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stopVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void openIndex() throws Exception {
    index = open(vertx);
  }

  @AfterEach
  void closeIndex() {
    if (index != null) {
      await(index.clear());
      index.close();
    }
  }

  @Test
  @DisplayName("a passage is found right after its upsert, by vector, by text and by both")
  void upsertThenSearch() {
    var cats = passage(agent, "My cat Luna sleeps on the windowsill", axis(0));
    var trains = passage(agent, "The night train to Vienna leaves at ten", axis(1));
    var soup = passage(agent, "Grandma's tomato soup recipe uses basil", axis(2));
    await(index.upsert(List.of(cats, trains, soup)));

    assertEquals(trains.id(), search(SearchMode.VECTOR, null, axis(1), 3).get(0).id());
    assertEquals(soup.id(), search(SearchMode.TEXT, "tomato soup", null, 3).get(0).id());
    List<ScoredPassage> hybrid = search(SearchMode.HYBRID, "cat windowsill", axis(0), 3);
    assertEquals(cats.id(), hybrid.get(0).id());
  }

  @Test
  @DisplayName("vector scores are cosine similarities")
  void vectorScoreIsCosine() {
    var p = passage(agent, "anything", axis(0));
    await(index.upsert(List.of(p)));
    // 60 degrees from axis 0 -> cosine 0.5
    float[] q = unit(0.5f, (float) Math.sqrt(0.75), 0, 0, 0, 0, 0, 0);
    List<ScoredPassage> hits = search(SearchMode.VECTOR, null, q, 5);
    assertEquals(1, hits.size());
    assertEquals(0.5, hits.get(0).score(), 1e-4);
    assertEquals(1.0, search(SearchMode.VECTOR, null, axis(0), 5).get(0).score(), 1e-4);
  }

  @Test
  @DisplayName("an owner never sees another owner's passages, even with identical text and vector")
  void ownerFilter() {
    UUID other = UUID.randomUUID();
    var mine = passage(agent, "the secret password is swordfish", axis(3));
    var theirs = passage(other, "the secret password is swordfish", axis(3));
    await(index.upsert(List.of(mine, theirs)));
    for (SearchMode mode : SearchMode.values()) {
      List<ScoredPassage> hits = search(user, Set.of(agent), mode, "secret password swordfish", axis(3), 10);
      assertEquals(List.of(mine.id()), ids(hits), mode.name());
      List<ScoredPassage> both = search(user, Set.of(agent, other), mode, "secret password swordfish", axis(3), 10);
      assertEquals(Set.of(mine.id(), theirs.id()), Set.copyOf(ids(both)), mode.name());
    }
  }

  @Test
  @DisplayName("a user never sees another user's passages, even under the same owner id")
  void userIsolation() {
    UUID otherUser = UUID.randomUUID();
    var mine = passage(agent, "allergic to peanuts", axis(4));
    var theirs = new IndexedPassage(UUID.randomUUID(), ++seq, otherUser, agent, "allergic to peanuts", axis(4));
    await(index.upsert(List.of(mine, theirs)));
    for (SearchMode mode : SearchMode.values()) {
      assertEquals(List.of(mine.id()), ids(search(user, Set.of(agent), mode, "peanuts", axis(4), 10)), mode.name());
      assertEquals(List.of(theirs.id()), ids(search(otherUser, Set.of(agent), mode, "peanuts", axis(4), 10)),
          mode.name());
    }
  }

  @Test
  @DisplayName("delete and deleteOwner remove passages from every kind of search")
  void deletes() {
    UUID source = UUID.randomUUID();
    var a = passage(agent, "blue whales are the largest animals", axis(5));
    var b = passage(agent, "blue paint dries quickly", axis(5));
    var c = passage(source, "blue jeans were invented in 1873", axis(5));
    await(index.upsert(List.of(a, b, c)));
    Set<UUID> owners = Set.of(agent, source);
    assertEquals(3, search(user, owners, SearchMode.VECTOR, null, axis(5), 10).size());

    await(index.delete(List.of(a.id(), UUID.randomUUID())));
    for (SearchMode mode : SearchMode.values()) {
      assertEquals(Set.of(b.id(), c.id()), Set.copyOf(ids(search(user, owners, mode, "blue", axis(5), 10))),
          mode.name());
    }
    await(index.deleteOwner(user, source));
    for (SearchMode mode : SearchMode.values()) {
      assertEquals(List.of(b.id()), ids(search(user, owners, mode, "blue", axis(5), 10)), mode.name());
    }
    assertEquals(1, await(index.stats()).count());
  }

  @Test
  @DisplayName("delete by user and ids removes those passages only")
  void deleteForUser() {
    var a = passage(agent, "first note", axis(0));
    var b = passage(agent, "second note", axis(0));
    await(index.upsert(List.of(a, b)));
    await(index.delete(user, List.of(a.id())));
    assertEquals(List.of(b.id()), ids(search(SearchMode.HYBRID, "note", axis(0), 10)));
  }

  @Test
  @DisplayName("deleteOwner leaves another user's passages under the same owner id alone")
  void deleteOwnerIsPerUser() {
    UUID otherUser = UUID.randomUUID();
    var theirs = new IndexedPassage(UUID.randomUUID(), ++seq, otherUser, agent, "kept", axis(1));
    await(index.upsert(List.of(passage(agent, "gone", axis(1)), theirs)));
    await(index.deleteOwner(user, agent));
    assertEquals(List.of(), search(SearchMode.VECTOR, null, axis(1), 10));
    assertEquals(List.of(theirs.id()), ids(search(otherUser, Set.of(agent), SearchMode.VECTOR, null, axis(1), 10)));
  }

  @Test
  @DisplayName("an upsert with an existing id replaces the passage (text, vector and seq)")
  void upsertReplaces() {
    var first = passage(agent, "the meeting is on Monday", axis(6));
    await(index.upsert(List.of(first)));
    var second = new IndexedPassage(first.id(), ++seq, user, agent, "the dentist appointment moved", axis(7));
    await(index.upsert(List.of(second)));

    assertEquals(new IndexStats(1, second.seq()), await(index.stats()));
    assertEquals(List.of(), search(SearchMode.TEXT, "meeting Monday", null, 10));
    assertEquals(List.of(first.id()), ids(search(SearchMode.TEXT, "dentist", null, 10)));
    assertEquals(first.id(), search(SearchMode.VECTOR, null, axis(7), 10).get(0).id());
    assertEquals(1.0, search(SearchMode.VECTOR, null, axis(7), 10).get(0).score(), 1e-4);
  }

  @Test
  @DisplayName("at most limit results come back, best first")
  void limitAndOrder() {
    // passage i sits at angle i * 4 degrees from axis 0, so the order of similarity to axis 0 is the order of i
    List<IndexedPassage> ps = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      double a = Math.toRadians(i * 4);
      String text = "note " + "apple ".repeat(20 - i) + "filler".repeat(i > 0 ? 1 : 0);
      ps.add(passage(agent, text, unit((float) Math.cos(a), (float) Math.sin(a), 0, 0, 0, 0, 0, 0)));
    }
    await(index.upsert(ps));
    List<ScoredPassage> top = search(SearchMode.VECTOR, null, axis(0), 5);
    assertEquals(ps.subList(0, 5).stream().map(IndexedPassage::id).toList(), ids(top));
    for (SearchMode mode : SearchMode.values()) {
      List<ScoredPassage> hits = search(mode, "apple", axis(0), 7);
      assertEquals(7, hits.size(), mode.name());
      for (int i = 1; i < hits.size(); i++) {
        assertTrue(hits.get(i - 1).score() >= hits.get(i).score(), mode + " not best first: " + hits);
      }
    }
    assertEquals(ps.get(0).id(), search(SearchMode.HYBRID, "apple", axis(0), 7).get(0).id());
  }

  @Test
  @DisplayName("stats count the passages and report the highest seq (-1 when empty)")
  void stats() {
    assertEquals(new IndexStats(0, -1), await(index.stats()));
    var a = passage(agent, "one", axis(0));
    var b = passage(agent, "two", axis(1));
    var c = passage(UUID.randomUUID(), "three", axis(2));
    await(index.upsert(List.of(c, a, b)));
    assertEquals(new IndexStats(3, c.seq()), await(index.stats()));
    await(index.delete(List.of(c.id())));
    assertEquals(new IndexStats(2, b.seq()), await(index.stats()));
  }

  @Test
  @DisplayName("clear empties the index, which then accepts new passages")
  void clear() {
    await(index.upsert(List.of(passage(agent, "old fact", axis(0)), passage(agent, "older fact", axis(1)))));
    await(index.clear());
    assertEquals(new IndexStats(0, -1), await(index.stats()));
    assertEquals(List.of(), search(SearchMode.HYBRID, "fact", axis(0), 10));
    var fresh = passage(agent, "new fact", axis(2));
    await(index.upsert(List.of(fresh)));
    assertEquals(List.of(fresh.id()), ids(search(SearchMode.HYBRID, "fact", axis(2), 10)));
  }

  @Test
  @DisplayName("an empty index, or a search over no owners, returns nothing in every mode")
  void emptySearch() {
    for (SearchMode mode : SearchMode.values()) {
      assertEquals(List.of(), search(mode, "anything at all", axis(0), 10), mode.name());
    }
    await(index.upsert(List.of(passage(agent, "anything at all", axis(0)))));
    for (SearchMode mode : SearchMode.values()) {
      assertEquals(List.of(), search(user, Set.of(), mode, "anything", axis(0), 10), mode.name());
    }
  }

  @Test
  @DisplayName("a vector search without a vector is a bad request")
  void vectorSearchNeedsVector() {
    Throwable failure = assertThrows(RuntimeException.class, () -> search(SearchMode.VECTOR, "text only", null, 5));
    assertInstanceOf(ApiException.class, failure.getCause() == null ? failure : failure.getCause());
  }

  // ---------------------------------------------------------------- helpers

  protected IndexedPassage passage(UUID owner, String text, float[] vector) {
    return new IndexedPassage(UUID.randomUUID(), ++seq, user, owner, text, vector);
  }

  protected List<ScoredPassage> search(SearchMode mode, String text, float[] vector, int limit) {
    return search(user, Set.of(agent), mode, text, vector, limit);
  }

  protected List<ScoredPassage> search(UUID u, Set<UUID> owners, SearchMode mode, String text, float[] vector,
      int limit) {
    return await(index.search(new PassageQuery(u, owners, text, vector, mode, limit)));
  }

  protected UUID user() {
    return user;
  }

  protected UUID agent() {
    return agent;
  }
}
