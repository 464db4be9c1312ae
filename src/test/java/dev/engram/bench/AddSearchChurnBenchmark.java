package dev.engram.bench;

import dev.engram.index.LuceneIndex;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.testkit.RandomVectors;
import dev.engram.testkit.TempHomes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * The memories index alone, in process: {@code --passages} adds into one scope one at a time, (1) alone, (2) each
 * followed by a hybrid search (the asynchronous-add benchmark's loop: a search after a write refreshes the reader,
 * which flushes the writer's buffer to a new segment), then (3) searches alone on the full index. Prints the CPU of
 * the process per operation over the second half of each phase (the first half warms the JIT) and the segments left.
 *
 * <p>Usage: scripts/bench.sh add-search-churn [--passages 3000]
 */
public final class AddSearchChurnBenchmark {
  private static final int DIM = 384;
  private static final String[] WORDS =
      "tea coffee lisbon porto running cycling piano guitar dog cat garden beach mountain book film".split(" ");

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    int n = Integer.parseInt(opts.getOrDefault("passages", "3000"));
    Vertx vertx = Vertx.vertx();
    try {
      for (boolean search : List.of(false, true)) {
        Path dir = TempHomes.create("engram-churn-").resolve("index");
        LuceneIndex index = new LuceneIndex(vertx, dir);
        UUID user = UUID.randomUUID();
        UUID owner = UUID.randomUUID();
        Random random = new Random(1);
        long cpu0 = 0;
        for (int i = 0; i < n; i++) {
          if (i == n / 2) {
            cpu0 = cpuNs();
          }
          float[] v = unit(random);
          String text = sentence(random, i);
          await(index.add(List.of(new IndexedPassage(UUID.randomUUID(), i + 1, user, owner, text, v))));
          if (search) {
            await(index.search(new PassageQuery(user, Set.of(owner), text, v, SearchMode.HYBRID, 5)));
          }
        }
        System.out.printf("%-24s %.3f ms CPU per %s; %d segments%n", search ? "add, then search:" : "add alone:",
            (cpuNs() - cpu0) / 1e6 / (n - n / 2), search ? "add and search" : "add",
            await(index.segmentCount()));
        if (search) {
          long s0 = 0;
          for (int i = 0; i < n; i++) {
            if (i == n / 2) {
              s0 = cpuNs();
            }
            await(index.search(new PassageQuery(user, Set.of(owner), sentence(random, i), unit(random),
                SearchMode.HYBRID, 5)));
          }
          System.out.printf("%-24s %.3f ms CPU per search%n", "search alone:", (cpuNs() - s0) / 1e6 / (n - n / 2));
        }
        index.close();
      }
    } finally {
      vertx.close();
    }
    System.exit(0);
  }

  private static long cpuNs() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static float[] unit(Random random) {
    return RandomVectors.unit(random, DIM);
  }

  private static String sentence(Random random, int i) {
    return "I like " + WORDS[random.nextInt(WORDS.length)] + " and " + WORDS[random.nextInt(WORDS.length)] + " " + i;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }
}
