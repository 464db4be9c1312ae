package dev.engram.store;

import dev.engram.config.EngramConfig;
import dev.engram.store.embedded.EmbeddedPostgres;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the connection options of the configured PostgreSQL: an external server, or the embedded PostgreSQL 18 of
 * ENGRAM_HOME ({@link EmbeddedPostgres}: data in ENGRAM_HOME/pgdata, Engram connected as its own role with the
 * password kept in ENGRAM_HOME/pgpass). Blocking: call off the event loop.
 */
public final class DatabaseLauncher implements AutoCloseable {
  /** The longest statement kept prepared (characters); AgentRepository's save must stay under it. */
  public static final int PREPARED_SQL_LIMIT = 16_384;
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseLauncher.class);

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
    EmbeddedPostgres pg = EmbeddedPostgres.start(home);
    PgConnectOptions opts = new PgConnectOptions().setHost("127.0.0.1").setPort(pg.port())
        .setDatabase(EmbeddedPostgres.DATABASE).setUser(EmbeddedPostgres.ROLE).setPassword(pg.password());
    return new DatabaseLauncher(opts, pg);
  }

  public PgConnectOptions connectOptions() {
    // statements are prepared once per connection and kept; the default keeps only those under 2,048 characters, and
    // the agent save (AgentRepository.SAVE_AGENT) is longer: re-planned at every step, it doubled PostgreSQL's CPU
    return new PgConnectOptions(options).setCachePreparedStatements(true)
        .setPreparedStatementCacheSqlLimit(PREPARED_SQL_LIMIT).setPipeliningLimit(256);
  }

  /** Stops the embedded server, if this launcher started one. */
  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }
}
