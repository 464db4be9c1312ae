package dev.engram.store.embedded;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.TempHomes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A PostgreSQL that cannot start says why at once, and leaves the home free for the next try. */
class StartFailureTest {
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
}
