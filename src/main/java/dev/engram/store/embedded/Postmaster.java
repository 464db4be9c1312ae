package dev.engram.store.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the server of one data directory with {@code pg_ctl}, which detaches it into its own session (a
 * Ctrl-C meant for Engram does not hit it) and, while waiting for it to accept connections, notices at once when it
 * exits. Also finds a server that a killed Engram left running on the directory.
 */
final class Postmaster {
  private static final Logger LOG = LoggerFactory.getLogger(Postmaster.class);
  /** Long enough for crash recovery of a large backlog; a server that exits instead fails the start at once. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final Path pgdata;
  private final PostgresBinaries binaries;
  private final ServerLog log;

  Postmaster(Path pgdata, PostgresBinaries binaries, ServerLog log) {
    this.pgdata = pgdata;
    this.binaries = binaries;
    this.log = log;
  }

  /**
   * Starts the server on 127.0.0.1:{@code port} with durable commits. Throws with the log's new lines if it does not
   * come up; {@link #portTaken} tells whether that was because another program had the port.
   */
  void start(int port) {
    // pg_ctl hands these to postgres through /bin/sh, hence the quoting; the command line beats postgresql.conf
    String options = String.join(" ", List.of(
        "-p", Integer.toString(port),
        "-c", "listen_addresses=127.0.0.1",
        "-c", "unix_socket_directories=''",
        "-c", shellQuoted("hba_file=" + pgdata.resolve("pg_hba.conf")),
        "-c", "password_encryption=scram-sha-256",
        "-c", "fsync=on",
        "-c", "synchronous_commit=on",
        "-c", "full_page_writes=on",
        "-c", "max_connections=100",
        "-c", "timezone=UTC"));
    log.run("starting the embedded PostgreSQL", binaries.command("pg_ctl", "start", "-D", pgdata.toString(),
        "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()), "-l", log.file().toString(), "-o", options),
        null, START_TIMEOUT.plusSeconds(30), false);
  }

  /** Whether a failed start's message says that the port was taken. */
  static boolean portTaken(IllegalStateException startFailure) {
    String message = String.valueOf(startFailure.getMessage());
    return message.contains("Address already in use") || message.contains("could not create any TCP/IP sockets");
  }

  /** Stops the server: fast (running transactions are rolled back, then a checkpoint), immediate if that fails. */
  void stop() {
    try {
      log.run("stopping the embedded PostgreSQL", binaries.command("pg_ctl", "stop", "-D", pgdata.toString(),
          "-m", "fast", "-w", "-t", Long.toString(STOP_TIMEOUT.toSeconds())), null, STOP_TIMEOUT.plusSeconds(10),
          false);
    } catch (IllegalStateException notFast) {
      LOG.warn("The embedded PostgreSQL did not stop in fast mode; stopping it in immediate mode", notFast);
      log.run("stopping the embedded PostgreSQL (immediate)", binaries.command("pg_ctl", "stop", "-D",
          pgdata.toString(), "-m", "immediate", "-w", "-t", "30"), null, Duration.ofSeconds(40), false);
    }
  }

  /**
   * Stops the server a killed Engram left running on this directory: the pid of {@code postmaster.pid} is alive and
   * its command line names the directory. The caller holds the home's lock, so no live Engram uses that server. A
   * pid that is dead, or now belongs to another program, is left to postgres, which checks its lock file itself.
   */
  void stopLeftOver() {
    Optional<ProcessHandle> left = leftRunning();
    if (left.isEmpty()) {
      return;
    }
    ProcessHandle process = left.get();
    LOG.warn("PostgreSQL (pid {}) is still running on {}, left by an Engram that ended without stopping it:"
        + " stopping it", process.pid(), pgdata);
    try {
      stop();
    } catch (IllegalStateException e) {
      LOG.warn("pg_ctl could not stop pid {}; killing it", process.pid(), e);
      process.destroyForcibly();
    }
    try {
      process.onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the PostgreSQL left running on " + pgdata + " (pid " + process.pid()
          + ") does not stop", e);
    }
  }

  private Optional<ProcessHandle> leftRunning() {
    Path pidFile = pgdata.resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (lines.isEmpty() || lines.get(0).isBlank()) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).strip());
      Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
      return process.isPresent() && commandLineNames(pid, pgdata) ? process : Optional.empty();
    } catch (IOException | NumberFormatException unreadable) {
      return Optional.empty();
    }
  }

  /** Whether {@code /proc/<pid>/cmdline} has an argument that is this data directory (as given, or resolved). */
  private static boolean commandLineNames(long pid, Path pgdata) throws IOException {
    Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
    if (!Files.isReadable(cmdline)) {
      return false;
    }
    String[] args = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0");
    for (String arg : args) {
      if (arg.startsWith("/") && sameFile(arg, pgdata)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameFile(String path, Path dir) {
    try {
      Path candidate = Path.of(path);
      return Files.exists(candidate) && Files.isSameFile(candidate, dir);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String shellQuoted(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
