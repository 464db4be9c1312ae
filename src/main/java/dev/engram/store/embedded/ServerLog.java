package dev.engram.store.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ENGRAM_HOME/postgres.log} (mode 0600): everything initdb, the single-user setup, pg_ctl and the server write.
 * A program that fails puts the lines it added into its exception, so a failed start says why at once. Over 10 MiB at
 * a start, the log moves to {@code postgres.log.1} (replacing the previous one).
 */
final class ServerLog {
  private static final long ROTATE_BYTES = 10L << 20;
  private static final int TAIL_LINES = 25;

  private final Path file;

  private ServerLog(Path file) {
    this.file = file;
  }

  static ServerLog open(Path file) throws IOException {
    if (Files.exists(file) && Files.size(file) > ROTATE_BYTES) {
      Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.exists(file)) {
      Files.createFile(file, PrivateFiles.fileMode());
    }
    return new ServerLog(file);
  }

  Path file() {
    return file;
  }

  /**
   * Runs {@code command} to its end with its output appended to the log and {@code stdin} (or nothing) as its input.
   * Fails with the log's new lines when it exits with an error or is still running after {@code timeout}.
   *
   * @param quietStdout discard standard output (the single-user backend's prompts), keeping standard error
   */
  void run(String what, List<String> command, String stdin, Duration timeout, boolean quietStdout) {
    long mark = size();
    ProcessBuilder builder = new ProcessBuilder(command);
    // PGDATA, PGPORT, PGOPTIONS... of Engram's environment are not meant for this cluster
    builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
    builder.redirectError(ProcessBuilder.Redirect.appendTo(file.toFile()));
    builder.redirectOutput(quietStdout ? ProcessBuilder.Redirect.DISCARD
        : ProcessBuilder.Redirect.appendTo(file.toFile()));
    try {
      Process process = builder.start();
      try (OutputStream in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException exitedEarly) {
        // the exit status and the log tell why
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw failure(what + " did not finish within " + timeout.toSeconds() + " s", mark);
      }
      if (process.exitValue() != 0) {
        throw failure(what + " failed (exit status " + process.exitValue() + ")", mark);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " was interrupted", e);
    }
  }

  long size() {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** The last lines written since {@code mark}. */
  String since(long mark) {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long from = Math.max(mark, in.length() - 16_384);
      byte[] bytes = new byte[(int) (in.length() - from)];
      in.seek(from);
      in.readFully(bytes);
      List<String> lines = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  IllegalStateException failure(String message, long mark) {
    String tail = since(mark).strip();
    return new IllegalStateException(message + "; " + (tail.isEmpty() ? "nothing new in " + file
        : "the last lines of " + file + ":\n" + tail));
  }
}
