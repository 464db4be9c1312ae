package dev.engram.store;

import dev.engram.config.EngramConfig;
import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the connection options of the configured PostgreSQL: an external server, or a real embedded PostgreSQL 18 whose
 * data directory lives in ENGRAM_HOME/pgdata so that data survives restarts. Blocking: call off the event loop.
 */
public final class DatabaseLauncher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseLauncher.class);
  private static final String EMBEDDED_DB = "postgres";

  private final PgConnectOptions options;
  private final EmbeddedPostgres embedded;

  private DatabaseLauncher(PgConnectOptions options, EmbeddedPostgres embedded) {
    this.options = options;
    this.embedded = embedded;
  }

  public static DatabaseLauncher start(EngramConfig.Database db, Path home) {
    if (db.external()) {
      PgConnectOptions opts = db.url() != null && !db.url().isBlank()
          ? PgConnectOptions.fromUri(db.url())
          : new PgConnectOptions().setHost(db.host()).setPort(db.port()).setDatabase(db.name())
              .setUser(db.user()).setPassword(db.password());
      LOG.info("Using PostgreSQL at {}:{}/{}", opts.getHost(), opts.getPort(), opts.getDatabase());
      return new DatabaseLauncher(opts, null);
    }
    try {
      Path data = home.resolve("pgdata");
      Files.createDirectories(data);
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setDataDirectory(data)
          .setCleanDataDirectory(false)
          .setServerConfig("max_connections", "100")
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setPGStartupWait(Duration.ofSeconds(60))
          .start();
      LOG.info("Started embedded PostgreSQL on 127.0.0.1:{} with data in {}", pg.getPort(), data);
      PgConnectOptions opts = new PgConnectOptions().setHost("127.0.0.1").setPort(pg.getPort())
          .setDatabase(EMBEDDED_DB).setUser("postgres").setPassword("postgres");
      return new DatabaseLauncher(opts, pg);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL in " + home, e);
    }
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(options).setCachePreparedStatements(true).setPipeliningLimit(256);
  }

  /** Stops the embedded server, if this launcher started one. */
  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
        LOG.info("Stopped embedded PostgreSQL");
      } catch (IOException e) {
        LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
      }
    }
  }
}
