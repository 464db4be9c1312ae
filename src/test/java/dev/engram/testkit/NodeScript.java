package dev.engram.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script of {@code src/test/js} under Node.js with the official client SDKs that
 * {@code scripts/test-clients.sh} installed (outside the repository, in ENGRAM_TEST_CLIENTS or
 * {@code ~/.cache/engram/test-clients}). Scripts are CommonJS and find the SDKs through NODE_PATH; they exit non-zero
 * on a failed assertion, and print what they checked.
 */
public final class NodeScript {
  private NodeScript() {}

  /** The outcome of a script: its exit code and everything it printed (stdout and stderr together). */
  public record Run(int exitCode, String output) {}

  public static Path clientsDir() {
    String configured = System.getenv("ENGRAM_TEST_CLIENTS");
    return configured != null && !configured.isBlank() ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "engram", "test-clients");
  }

  /** Runs {@code script} (a file name in src/test/js) with {@code env}, for at most {@code timeoutSeconds}. */
  public static Run run(String script, Map<String, String> env, long timeoutSeconds) {
    Path modules = clientsDir().resolve("node_modules");
    if (!Files.isDirectory(modules)) {
      throw new IllegalStateException("the client SDKs are not installed in " + modules
          + ": run scripts/test-clients.sh (scripts/test.sh does it)");
    }
    Path file = Path.of("src", "test", "js", script).toAbsolutePath();
    List<String> command = new ArrayList<>(List.of("node", file.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("NODE_PATH", modules.toString());
    builder.environment().putAll(env);
    try {
      File log = Files.createTempFile("engram-node-", ".log").toFile();
      log.deleteOnExit();
      Process process = builder.redirectOutput(log).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return new Run(-1, Files.readString(log.toPath(), StandardCharsets.UTF_8)
            + "\n[timed out after " + timeoutSeconds + " s]");
      }
      return new Run(process.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run node " + script + " (is Node.js installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
