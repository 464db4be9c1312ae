package dev.engram.store.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * exits. Also clears what a killed Engram left behind on the directory.
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
   * Clears what a dead Engram left: stops the server still running on this directory ({@code postmaster.pid} names a
   * live process whose command line names the directory), and removes a {@code postmaster.pid} whose pid now belongs
   * to a program that is no PostgreSQL at all (after a reboot or in a container, pids come round again), which
   * postgres would take for a running server. The caller holds the home's lock, so no live Engram uses that server. A
   * dead pid is left to postgres, which checks its lock file itself; a live PostgreSQL of some other directory too.
   */
  void clearLeftOvers() {
    Path pidFile = pgdata.resolve("postmaster.pid");
    Optional<ProcessHandle> process = pidIn(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return;
    }
    List<String> commandLine = commandLine(process.get().pid());
    if (commandLine.stream().anyMatch(arg -> arg.startsWith("/") && sameFile(arg, pgdata))) {
      stopLeftRunning(process.get());
    } else if (!commandLine.isEmpty() && !commandLine.get(0).endsWith("postgres")) {
      LOG.warn("Removing {}: its pid {} now belongs to another program ({})", pidFile, process.get().pid(),
          commandLine.get(0));
      try {
        Files.deleteIfExists(pidFile);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the stale " + pidFile, e);
      }
    }
  }

  private void stopLeftRunning(ProcessHandle process) {
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

  private static Optional<Long> pidIn(Path pidFile) {
    try {
      List<String> lines = Files.exists(pidFile) ? Files.readAllLines(pidFile, StandardCharsets.UTF_8) : List.of();
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
    } catch (IOException | NumberFormatException unreadable) {
      return Optional.empty();
    }
  }

  /** The arguments of {@code /proc/<pid>/cmdline}, the program first; empty when they cannot be read. */
  private static List<String> commandLine(long pid) {
    try {
      byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return bytes.length == 0 ? List.of() : List.of(new String(bytes, StandardCharsets.UTF_8).split("\0"));
    } catch (IOException e) {
      return List.of();
    }
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
