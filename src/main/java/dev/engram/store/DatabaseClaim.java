package dev.engram.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's claim on its database: a PostgreSQL session advisory lock, held on a connection of its own for as
 * long as the process serves. Two Engram processes that are not members of one cluster must never serve one database:
 * each would step the same agents at once, and their writes would overwrite each other's without an error (measured:
 * 30 concurrent sends to one agent through three processes lost 20 of the facts they stored). So a process takes the
 * lock exclusively before anything else touches the database (before the migrations, and before the runs a previous
 * process left are marked failed), and refuses to start when another process holds it.
 *
 * <p>The lock lives as long as its connection. When that connection is lost (the database restarted, a network cut),
 * the claim is taken again on a new connection; if another process got it meanwhile, this one cannot go on serving and
 * {@code onLost} is called (the server stops).
 */
public final class DatabaseClaim {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseClaim.class);
  /** The advisory lock's key: the same for every Engram ("engram" in ASCII, then 1), unlikely to clash with others'. */
  static final long LOCK_KEY = 0x656e6772616d01L;
  private static final String TRY_LOCK = "SELECT pg_try_advisory_lock($1) AS taken";
  /** Cluster members share the claim: any number of them at once, never together with a process outside a cluster. */
  private static final String TRY_LOCK_SHARED = "SELECT pg_try_advisory_lock_shared($1) AS taken";
  private static final String HOLDER = """
      SELECT a.pid, l.mode, a.client_addr::text AS address, a.application_name, a.backend_start
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted
         AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid AND l.objsubid = 1
      """;
  /**
   * The server probes this connection's client after 10 s of silence, every 5 s, 3 times: when the machine of a
   * process that held the claim dies without closing its socket (a power cut), the claim is free again within about
   * 25 s instead of the operating system's default of two hours.
   */
  private static final String KEEPALIVES = "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5;"
      + " SET tcp_keepalives_count = 3";
  private static final long RECLAIM_DELAY_MS = 1_000;

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final Runnable onLost;
  private final boolean shared;
  private PgConnection connection;
  private boolean released;

  private DatabaseClaim(Vertx vertx, PgConnectOptions options, Runnable onLost, boolean shared) {
    this.vertx = vertx;
    this.options = options;
    this.onLost = onLost;
    this.shared = shared;
  }

  /** Takes the database for this process, or fails saying which process holds it. */
  public static Future<DatabaseClaim> take(Vertx vertx, PgConnectOptions options, Runnable onLost) {
    return take(vertx, options, onLost, false);
  }

  /**
   * Takes the database for this process ({@code shared}: as one member of a cluster, beside the other members), or
   * fails saying which process holds it.
   */
  public static Future<DatabaseClaim> take(Vertx vertx, PgConnectOptions options, Runnable onLost, boolean shared) {
    DatabaseClaim claim = new DatabaseClaim(vertx, options, onLost, shared);
    return claim.lock().map(claim);
  }

  private Future<Void> lock() {
    return PgConnection.connect(vertx, new PgConnectOptions(options).setCachePreparedStatements(false))
        .compose(conn -> conn.query(KEEPALIVES).execute()
            .compose(set -> conn.preparedQuery(shared ? TRY_LOCK_SHARED : TRY_LOCK).execute(Tuple.of(LOCK_KEY)))
            .compose(rows -> {
              if (rows.iterator().next().getBoolean("taken")) {
                connection = conn;
                conn.closeHandler(v -> lost());
                // the close that follows says what matters; the cause (e.g. the backend was terminated) is detail
                conn.exceptionHandler(e -> LOG.debug("claim connection: {}", e.getMessage()));
                return Future.<Void>succeededFuture();
              }
              return describeHolder(conn).eventually(conn::close)
                  .compose(holder -> Future.failedFuture(new HeldElsewhere(shared
                      ? "An Engram process outside cluster mode is serving this database (PostgreSQL at "
                          + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase() + ", " + holder
                          + "). It steps its agents without the cluster's leases, so a cluster node beside it would"
                          + " lose writes: stop it, or start it with CLUSTER=true as a member."
                      : "Another Engram process is serving this database (PostgreSQL at " + options.getHost() + ":"
                          + options.getPort() + "/" + options.getDatabase() + ", " + holder + "). Two Engram"
                          + " processes outside cluster mode would step the same agents at once and lose each"
                          + " other's writes, so this one does not serve it: stop the other process, give this"
                          + " one a database of its own, or run every process with CLUSTER=true.")));
            }, e -> {
              conn.close();
              return Future.failedFuture(e);
            }));
  }

  private Future<String> describeHolder(PgConnection conn) {
    return conn.preparedQuery(HOLDER).execute(Tuple.of(LOCK_KEY)).map(rows -> {
      if (rows.size() == 0) {
        return "its connection is closing";
      }
      var row = rows.iterator().next();
      String address = row.getString("address");
      return ("ShareLock".equals(row.getString("mode")) ? "shared by cluster members, one on" : "held by its"
          + " connection of") + " backend pid " + row.getInteger("pid")
          + (address == null ? " over a local socket" : " from " + address)
          + " since " + row.getValue("backend_start");
    }).otherwise(e -> "its connection could not be described: " + e.getMessage());
  }

  private void lost() {
    connection = null;
    if (released) {
      return;
    }
    LOG.warn("The connection holding this process's claim on its database closed; taking the claim again");
    reclaim();
  }

  private void reclaim() {
    vertx.setTimer(RECLAIM_DELAY_MS, t -> {
      if (released) {
        return;
      }
      lock().onSuccess(v -> LOG.info("The claim on the database is held again"))
          .onFailure(e -> {
            if (e instanceof HeldElsewhere) {
              LOG.error("Stopping: {}", e.getMessage());
              onLost.run();
            } else {
              LOG.warn("The database is unreachable ({}); trying again", e.getMessage());
              reclaim();
            }
          });
    });
  }

  /** Gives the database up (the lock goes with its connection). */
  public Future<Void> release() {
    released = true;
    PgConnection conn = connection;
    connection = null;
    if (conn == null) {
      return Future.succeededFuture();
    }
    Promise<Void> closed = Promise.promise();
    conn.close().onComplete(ar -> closed.complete());
    return closed.future();
  }

  /** Another live process holds the claim. */
  public static final class HeldElsewhere extends IllegalStateException {
    HeldElsewhere(String message) {
      super(message);
    }
  }
}
