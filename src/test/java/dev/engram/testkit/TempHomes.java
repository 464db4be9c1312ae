package dev.engram.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Temporary ENGRAM_HOMEs (and database directories) for tests and benchmarks, deleted when the JVM exits: a test run
 * leaves nothing behind in the temporary directory. Servers registered with {@link #closeAtExit} are closed first, so
 * that no PostgreSQL is still writing into a directory being deleted.
 */
public final class TempHomes {
  private static final List<Path> HOMES = new ArrayList<>();
  private static final List<AutoCloseable> OPEN = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TempHomes::cleanUp, "temp-homes-cleanup"));
  }

  private TempHomes() {}

  /** A new empty directory under the system's temporary directory, named with {@code prefix}. */
  public static synchronized Path create(String prefix) {
    try {
      Path home = Files.createTempDirectory(prefix);
      HOMES.add(home);
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes {@code resource} at JVM exit, before the homes are deleted. */
  public static synchronized void closeAtExit(AutoCloseable resource) {
    OPEN.add(resource);
  }

  private static synchronized void cleanUp() {
    for (int i = OPEN.size() - 1; i >= 0; i--) {
      try {
        OPEN.get(i).close();
      } catch (Exception ignored) {
        // exiting anyway: deleting what is left matters more
      }
    }
    HOMES.forEach(TempHomes::deleteTree);
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // best effort: a file that vanished meanwhile is fine
    }
  }
}
