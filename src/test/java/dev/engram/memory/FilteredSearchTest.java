package dev.engram.memory;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.embed.EmbeddingSettings;
import dev.engram.embed.VectorMath;
import dev.engram.model.MemoryFilter;
import dev.engram.store.MemoryClient;
import dev.engram.store.MemoryProtocol.Change;
import dev.engram.store.MemoryProtocol.NewMemory;
import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryProtocol.ScoredMemory;
import dev.engram.testkit.RandomVectors;
import dev.engram.testkit.TestServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Filtered search through the persistence verticle with known vectors: a selective filter is scored exactly, a broad
 * one (more matches than the exact path takes) goes through the index at growing depth; both must return only
 * matching memories, best first, and the same top hits as a brute-force scan.
 */
class FilteredSearchTest {
  private static final int COUNT = 2_600;

  @Test
  @DisplayName("selective and broad filters both give the brute-force top hits, all matching the filter")
  void filteredSearchMatchesBruteForce() throws Exception {
    TestServer server = TestServer.shared();
    String tenant = server.api.newUser().getString("user_id");
    MemoryClient store = new MemoryClient(server.server().vertx());
    Scope scope = new Scope("filtered-" + System.nanoTime(), null, null);
    Random random = new Random(11);
    List<float[]> vectors = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      float[] v = RandomVectors.unit(random, EmbeddingSettings.LOCAL_DIMENSION);
      vectors.add(v);
      changes.add(Change.add(new NewMemory(UUID.randomUUID().toString(), "memory " + i, v, Map.of("n", i), null,
          null, null, null, null, null)));
    }
    for (int from = 0; from < COUNT; from += 500) {
      await(store.apply(tenant, scope, "test", false, changes.subList(from, Math.min(COUNT, from + 500))));
    }
    float[] query = vectors.get(7);

    // 300 matches: scored exactly; 2,400 matches (more than MemorySearch.EXACT_LIMIT): the index at growing depth
    for (Case c : List.of(new Case(Map.of("n", Map.of("lt", 300)), n -> n < 300),
        new Case(Map.of("n", Map.of("gte", 200)), n -> n >= 200))) {
      List<ScoredMemory> found = await(store.search(tenant, scope, null, query, MemoryFilter.parse(c.filter()), 10, null));
      assertEquals(10, found.size());
      Set<String> expected = bruteForce(vectors, query, c.matches(), 10);
      Set<String> got = found.stream().map(f -> f.memory().text()).collect(Collectors.toSet());
      Set<String> overlap = new HashSet<>(got);
      overlap.retainAll(expected);
      assertTrue(overlap.size() >= 9, c.filter() + ": " + got + " vs " + expected);
      for (ScoredMemory f : found) {
        int n = ((Number) f.memory().metadata().get("n")).intValue();
        assertTrue(c.matches().test(n), c.filter() + " admitted " + n);
      }
      for (int i = 1; i < found.size(); i++) {
        assertTrue(found.get(i - 1).score() >= found.get(i).score(), "best first");
      }
    }
  }

  private record Case(Map<String, Object> filter, IntPredicate matches) {}

  private static Set<String> bruteForce(List<float[]> vectors, float[] query, IntPredicate matches, int k) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < vectors.size(); i++) {
      if (matches.test(i)) {
        ids.add(i);
      }
    }
    ids.sort(Comparator.comparingDouble((Integer i) -> -VectorMath.dot(vectors.get(i), query)));
    return ids.subList(0, k).stream().map(i -> "memory " + i).collect(Collectors.toSet());
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
