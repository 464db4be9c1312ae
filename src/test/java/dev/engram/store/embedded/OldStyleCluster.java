package dev.engram.store.embedded;

import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster the way Engram's earlier launcher (zonky's EmbeddedPostgres) made and ran it: {@code initdb -A trust -U
 * postgres -E UTF-8} with the host's locale, then postgres with {@code -F -c synchronous_commit=off} and the default
 * Unix socket; everyone connects as {@code postgres} with any password.
 */
final class OldStyleCluster implements AutoCloseable {
  private final Path pgdata;
  private final int port;

  private OldStyleCluster(Path pgdata, int port) {
    this.pgdata = pgdata;
    this.port = port;
  }

  static OldStyleCluster initAndStart(Path pgdata) throws Exception {
    Files.createDirectories(pgdata);
    run(PostgresBinaries.get().command("initdb", "-A", "trust", "-U", "postgres", "-D", pgdata.toString(), "-E",
        "UTF-8"));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    run(PostgresBinaries.get().command("pg_ctl", "-D", pgdata.toString(), "-o", "-p " + port + " -F"
        + " -c synchronous_commit=off -c listen_addresses=127.0.0.1 -c max_connections=100 -c timezone=UTC",
        "-l", pgdata.resolveSibling("old-postgres.log").toString(), "-w", "start"));
    return new OldStyleCluster(pgdata, port);
  }

  /** Connection options as the old launcher gave them. */
  PgConnectOptions options() {
    return new PgConnectOptions().setHost("127.0.0.1").setPort(port).setDatabase("postgres").setUser("postgres")
        .setPassword("postgres");
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    run(PostgresBinaries.get().command("pg_ctl", "-D", pgdata.toString(), "-m", "fast", "-w", "stop"));
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(command + " failed: " + output);
    }
  }
}
