package dev.engram.index;

import static dev.engram.index.IndexFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.index.PassageIndex.IndexStats;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.SearchMode;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index contract holds through the write-behind queue, and reads see writes still queued. */
class WriteBehindIndexTest extends PassageIndexContract {
  @TempDir
  Path tmp;

  @Override
  protected PassageIndex open(Vertx vertx) {
    return new WriteBehindIndex(new LuceneIndex(vertx, tmp.resolve("index/recall")));
  }

  @Test
  @DisplayName("searches, deletes and stats issued right after unawaited adds see all of them")
  void readsSeeQueuedWrites() {
    UUID user = UUID.randomUUID();
    UUID owner = UUID.randomUUID();
    List<IndexedPassage> written = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      IndexedPassage p = new IndexedPassage(UUID.randomUUID(), i, user, owner, "note number " + i + " about tea",
          null);
      written.add(p);
      index.add(List.of(p)); // acknowledged at once; not awaited on purpose
    }
    var hits = await(index.search(new PassageQuery(user, Set.of(owner), "tea", null, SearchMode.TEXT, 100)));
    assertEquals(50, hits.size());
    assertEquals(new IndexStats(50, 49), await(index.stats()));
    index.add(List.of(new IndexedPassage(UUID.randomUUID(), 50, user, owner, "one more tea", null)));
    await(index.deleteOwner(user, owner));
    assertEquals(List.of(),
        await(index.search(new PassageQuery(user, Set.of(owner), "tea", null, SearchMode.TEXT, 100))));
    assertEquals(new IndexStats(0, -1), await(index.stats()));
  }
}
