package dev.engram.store.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server of one ENGRAM_HOME: data in {@code pgdata/} (mode 0700), durable commits (fsync,
 * synchronous_commit and full_page_writes on), reachable only over TCP on 127.0.0.1 with a password, and Engram
 * connected as the role {@value #ROLE}, which is no superuser. Start-up, in order: take the home's lock (a second
 * Engram on the home is refused); make the cluster if there is none; clear what a killed Engram left running;
 * set up roles and passwords if that was not done yet ({@link ClusterSetup}, which also upgrades homes of earlier
 * Engrams); start the server. The server runs until {@link #close}; should this process die first, the next start
 * on the home stops it. Blocking: call off the event loop.
 */
public final class EmbeddedPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  /** Engram's role: owns schema public and Engram's tables; no superuser, so no COPY ... TO PROGRAM and the like. */
  public static final String ROLE = "engram";
  /** The database that holds Engram's tables (as in homes of earlier Engrams). */
  public static final String DATABASE = "postgres";
  private static final int PORT_ATTEMPTS = 3;

  private final HomeLock lock;
  private final Postmaster postmaster;
  private final int port;
  private final String password;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedPostgres(HomeLock lock, Postmaster postmaster, int port, String password) {
    this.lock = lock;
    this.postmaster = postmaster;
    this.port = port;
    this.password = password;
  }

  /** Starts the server of {@code home}, making and setting up its cluster first when needed. */
  public static EmbeddedPostgres start(Path home) {
    long started = System.nanoTime();
    try {
      Files.createDirectories(home);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + home, e);
    }
    HomeLock lock = HomeLock.acquire(home);
    try {
      PostgresBinaries binaries = PostgresBinaries.get();
      ServerLog log = ServerLog.open(home.resolve("postgres.log"));
      Path pgdata = cluster(home.toRealPath(), binaries, log);
      Postmaster postmaster = new Postmaster(pgdata, binaries, log);
      postmaster.clearLeftOvers();
      ClusterPasswords passwords = ClusterSetup.ensure(home, pgdata, binaries, log);
      int port = startOnFreePort(postmaster);
      EmbeddedPostgres pg = new EmbeddedPostgres(lock, postmaster, port, passwords.engram());
      LOG.info("Started embedded PostgreSQL on 127.0.0.1:{} with data in {} ({} ms)", port, pgdata,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return pg;
    } catch (IOException e) {
      lock.close();
      throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + home, e);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** The password of {@link #ROLE} (kept in ENGRAM_HOME/pgpass). */
  public String password() {
    return password;
  }

  /** Stops the server and releases the home. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    try {
      postmaster.stop();
      LOG.info("Stopped embedded PostgreSQL");
    } finally {
      lock.close();
    }
  }

  /**
   * {@code home/pgdata}, made by initdb when it holds no cluster. initdb writes into {@code pgdata.initdb}, renamed
   * into place when complete, so an interrupted initdb never leaves a half-made cluster behind.
   */
  private static Path cluster(Path home, PostgresBinaries binaries, ServerLog log) throws IOException {
    Path pgdata = home.resolve("pgdata");
    if (!Files.exists(pgdata.resolve("PG_VERSION"))) {
      if (Files.isDirectory(pgdata) && !isEmpty(pgdata)) {
        throw new IllegalStateException(pgdata + " holds files but no PostgreSQL cluster (no PG_VERSION): move it"
            + " away to have a new cluster made");
      }
      Path fresh = home.resolve("pgdata.initdb");
      PrivateFiles.deleteTree(fresh);
      // no one may log in until ClusterSetup has written pg_hba.conf; the builtin C.UTF-8 locale behaves the same
      // on every host (case mapping of all of Unicode, code-point order), whatever the host's locales
      log.run("initdb", binaries.command("initdb", "-D", fresh.toString(), "-U", ClusterPasswords.SUPERUSER,
          "-A", "reject", "-E", "UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C",
          "--no-instructions"), null, Duration.ofMinutes(5), false);
      Files.deleteIfExists(pgdata);
      Files.move(fresh, pgdata);
      LOG.info("Created a PostgreSQL cluster in {}", pgdata);
    }
    // postgres insists on 0700 (or 0750); earlier Engrams left what the umask gave
    Files.setPosixFilePermissions(pgdata, PrivateFiles.DIRECTORY_MODE);
    return pgdata;
  }

  private static int startOnFreePort(Postmaster postmaster) throws IOException {
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      try {
        postmaster.start(port);
        return port;
      } catch (IllegalStateException e) {
        if (attempt == PORT_ATTEMPTS || !Postmaster.portTaken(e)) {
          throw e;
        }
        LOG.info("Port {} was taken before PostgreSQL could listen on it; trying another", port);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return socket.getLocalPort();
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      return children.findAny().isEmpty();
    }
  }
}
