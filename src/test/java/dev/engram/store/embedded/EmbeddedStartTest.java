package dev.engram.store.embedded;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.TempHomes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Starts that meet trouble: a server that cannot start, a lock file left by a server long gone. */
class EmbeddedStartTest {
  @Test
  @DisplayName("a server that will not start fails the start within seconds, with the log's reason in the message")
  void failureSaysWhy() throws Exception {
    Path home = TempHomes.create("engram-start-failure-");
    EmbeddedPostgres.start(home).close();
    Path conf = home.resolve("pgdata/postgresql.conf");
    String good = Files.readString(conf);
    Files.writeString(conf, "\nshared_buffers = 'plenty'\n", StandardOpenOption.APPEND);

    long started = System.nanoTime();
    IllegalStateException failed = assertThrows(IllegalStateException.class, () -> EmbeddedPostgres.start(home));
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    assertTrue(seconds < 10, "took " + seconds + " s to fail");
    assertTrue(failed.getMessage().contains("invalid value for parameter \"shared_buffers\""), failed.getMessage());
    assertTrue(failed.getMessage().contains(home.resolve("postgres.log").toString()), failed.getMessage());

    Files.writeString(conf, good);
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(home)) {
      assertTrue(pg.port() > 0, "starts once the cause is gone: the failed start released the home");
    }
  }

  @Test
  @DisplayName("a postmaster.pid whose pid is dead, or now another program's, does not keep the server from starting")
  void stalePidFile() throws Exception {
    Path home = TempHomes.create("engram-stale-pid-");
    EmbeddedPostgres.start(home).close();
    Path pidFile = home.resolve("pgdata/postmaster.pid");
    Process exited = new ProcessBuilder("true").start();
    exited.waitFor();
    Process sleeper = new ProcessBuilder("sleep", "120").start();
    try {
      for (long pid : new long[] {exited.pid(), sleeper.pid()}) {
        Files.writeString(pidFile, pid + "\n" + home.resolve("pgdata") + "\n1700000000\n5432\n\n127.0.0.1\n"
            + "  1234567     32768\nready   \n");
        long started = System.nanoTime();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(home)) {
          long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
          assertTrue(seconds < 10, "took " + seconds + " s to start");
          assertNotEquals(Long.toString(pid), Files.readAllLines(pidFile).get(0).strip(), "the new server's pid");
        }
      }
      assertTrue(sleeper.isAlive(), "the program that got the old pid was left alone");
    } finally {
      sleeper.destroyForcibly();
    }
  }
}
