package dev.engram.sandbox;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line of one sandboxed zygote: bubblewrap with every namespace unshared (user, PID, network unless the
 * tool may use it, IPC, UTS, mount, cgroup), nested user namespaces disabled, no capabilities, a read-only view of the
 * system's programs and libraries and nothing else of the host's files, an empty size-capped tmpfs /tmp and /dev/shm,
 * the server's environment cleared, and killed with the server. A root server first drops to {@link #SANDBOX_UID}
 * with setpriv, so the sandbox is an unprivileged user outside its namespaces too (root outside would also escape
 * RLIMIT_NPROC, which the kernel does not apply to root).
 */
final class SandboxCommand {
  /** nobody: owns no file a tool could reach. */
  static final long SANDBOX_UID = 65534;
  private static final boolean ROOT = new UnixSystem().getUid() == 0;
  /** The zygote's program: the schema derivation, then the zygote proper (it calls the former). */
  private static final String SCRIPT = resource("tool_schema.py") + "\n" + resource("zygote.py");
  /** What the system's Python and its libraries need of /etc; the rest of /etc stays out of sight. */
  private static final List<String> ETC = List.of("/etc/ld.so.cache", "/etc/localtime");
  /** What name resolution and TLS need, for tools that may use the network. */
  private static final List<String> ETC_NETWORK = List.of("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf",
      "/etc/gai.conf", "/etc/host.conf", "/etc/services", "/etc/protocols", "/etc/ssl", "/etc/ca-certificates");
  private static final List<String> TOP_LEVEL_SYSTEM = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

  private final Path bwrap;
  /** bubblewrap 0.8 and later can forbid nested user namespaces (Debian 12 has 0.8; Ubuntu 22.04 0.6). */
  private final boolean disableUserns;
  private final Path setpriv;
  private final Path python;
  private final long scratchBytes;

  private SandboxCommand(Path bwrap, boolean disableUserns, Path setpriv, Path python, long scratchBytes) {
    this.bwrap = bwrap;
    this.disableUserns = disableUserns;
    this.setpriv = setpriv;
    this.python = python;
    this.scratchBytes = scratchBytes;
  }

  /** Finds the programs the sandbox needs, or says what to install. */
  static SandboxCommand locate(SandboxSettings settings) throws SandboxUnavailable {
    return locate(settings, searchPath());
  }

  /** As {@link #locate(SandboxSettings)}, looking for programs in {@code dirs} only. */
  static SandboxCommand locate(SandboxSettings settings, List<String> dirs) throws SandboxUnavailable {
    Path bwrap = onPath("bwrap", dirs);
    if (bwrap == null) {
      throw new SandboxUnavailable("the tool sandbox needs bubblewrap (bwrap), which is not installed: install it"
          + " (Debian or Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)");
    }
    String options = help(bwrap);
    if (!options.contains("--size")) {
      throw new SandboxUnavailable("the tool sandbox needs bubblewrap 0.6 or newer (its --size option), and "
          + bwrap + " is older: upgrade bubblewrap");
    }
    Path setpriv = null;
    if (ROOT) {
      setpriv = onPath("setpriv", dirs);
      if (setpriv == null) {
        throw new SandboxUnavailable("the server runs as root and the tool sandbox needs setpriv (util-linux) to"
            + " run tools as an unprivileged user: install util-linux");
      }
    }
    Path python = python(settings.python(), dirs);
    if (python == null) {
      throw new SandboxUnavailable(settings.python() != null
          ? "TOOL_PYTHON is " + settings.python() + ", which is not an executable file"
          : "the tool sandbox needs Python 3 (/usr/bin/python3 or python3 on the PATH): install it (Debian or"
              + " Ubuntu: apt-get install python3)");
    }
    return new SandboxCommand(bwrap, options.contains("--disable-userns"), setpriv, python,
        settings.defaults().memoryBytes());
  }

  /** The zygote's command line, sandboxed. */
  List<String> zygote(boolean network) {
    List<String> c = new ArrayList<>();
    if (setpriv != null) {
      c.addAll(List.of(setpriv.toString(), "--reuid=" + SANDBOX_UID, "--regid=" + SANDBOX_UID, "--clear-groups",
          "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"));
    }
    c.addAll(List.of(bwrap.toString(), "--unshare-all", "--unshare-user"));
    if (disableUserns) {
      c.add("--disable-userns");
    }
    if (network) {
      c.add("--share-net");
    }
    c.addAll(List.of("--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL", "--hostname", "tool",
        "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
        // glibc reserves 64 MiB of address space per malloc arena and thread: with the default number of arenas a
        // few threads would exhaust RLIMIT_AS without allocating anything
        "--setenv", "MALLOC_ARENA_MAX", "2", "--setenv", "HOME", "/tmp",
        "--ro-bind", "/usr", "/usr"));
    for (String name : TOP_LEVEL_SYSTEM) {
      Path top = Path.of("/", name);
      if (Files.isSymbolicLink(top)) {
        c.addAll(List.of("--symlink", readLink(top), top.toString()));
      } else if (Files.isDirectory(top)) {
        c.addAll(List.of("--ro-bind", top.toString(), top.toString()));
      }
    }
    Path prefix = pythonPrefix();
    if (prefix != null) {
      c.addAll(List.of("--ro-bind", prefix.toString(), prefix.toString()));
    }
    for (String path : ETC) {
      c.addAll(List.of("--ro-bind-try", path, path));
    }
    if (network) {
      for (String path : ETC_NETWORK) {
        c.addAll(List.of("--ro-bind-try", path, path));
      }
    }
    c.addAll(List.of("--proc", "/proc", "--dev", "/dev",
        "--size", Long.toString(Math.min(scratchBytes, 64L << 20)), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
        "--size", Long.toString(scratchBytes), "--tmpfs", "/tmp", "--remount-ro", "/", "--chdir", "/tmp"));
    c.addAll(interpreter());
    return c;
  }

  /**
   * The zygote without any isolation, for the benchmark's baseline only: the same protocol and processes, but the
   * server's user, files, network and environment.
   */
  List<String> unisolated() {
    return interpreter();
  }

  private List<String> interpreter() {
    // -I: no PYTHON* variables, no user site-packages, no current directory on sys.path; -B: no .pyc writes
    return List.of(python.toString(), "-I", "-B", "-c", SCRIPT);
  }

  /** The interpreter's installation when it lies outside /usr (it must then be bound into the sandbox). */
  private Path pythonPrefix() {
    try {
      Path real = python.toRealPath();
      if (real.startsWith("/usr")) {
        return null;
      }
      Path bin = real.getParent();
      return bin.getParent() != null ? bin.getParent() : bin;
    } catch (IOException e) {
      return null;
    }
  }

  private static Path python(String setting, List<String> dirs) {
    if (setting != null) {
      Path p = setting.contains("/") ? Path.of(setting) : onPath(setting, dirs);
      return p != null && Files.isExecutable(p) ? p : null;
    }
    Path system = Path.of("/usr/bin/python3");
    return Files.isExecutable(system) ? system : onPath("python3", dirs);
  }

  /** The server's PATH, then the usual places (a service's PATH is often short). */
  private static List<String> searchPath() {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(path == null ? List.of() : List.of(path.split(":")));
    dirs.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"));
    return dirs;
  }

  private static Path onPath(String program, List<String> dirs) {
    for (String dir : dirs) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, program);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  /** bubblewrap's option list, to know which of the newer options it has. */
  private static String help(Path bwrap) throws SandboxUnavailable {
    try {
      Process p = new ProcessBuilder(bwrap.toString(), "--help").redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new SandboxUnavailable("the tool sandbox cannot run " + bwrap + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SandboxUnavailable("interrupted while checking " + bwrap);
    }
  }

  private static String readLink(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = SandboxCommand.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sandbox cannot run on this machine; the message says what to install or change. */
  static final class SandboxUnavailable extends Exception {
    SandboxUnavailable(String message) {
      super(message, null, false, false);
    }
  }
}
