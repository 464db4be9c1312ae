package dev.engram.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * CPU and allocation spent by a benchmark phase, which on a shared machine are far steadier guides than wall-clock
 * latency: CPU of this JVM (with the part spent on the load generator's and scripted LLM's threads, so the server's
 * share can be told apart), CPU of the embedded PostgreSQL processes, heap bytes allocated, and GC work.
 */
final class ResourceMeter {
  private static final long CLOCK_TICK_NS = 10_000_000L; // USER_HZ = 100 on Linux

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private final Set<Long> sideThreads = ConcurrentHashMap.newKeySet();
  /** Each Java thread's CPU when last sampled (thread ids are not reused while the JVM runs). */
  private final Map<Long, Long> lastSeenCpuNs = new ConcurrentHashMap<>();
  private final String pgDataDir;

  /** {@code pgDataDir}: the embedded PostgreSQL's data directory, which names its postmaster on the command line. */
  ResourceMeter(Path pgDataDir) {
    this.pgDataDir = pgDataDir.toString();
  }

  /** Marks the calling thread as one of the load generator's or the scripted LLM's (not the server's). */
  void markSideThread() {
    sideThreads.add(Thread.currentThread().getId());
  }

  /** Totals so far; subtract two to get a phase's figures. */
  record Sample(long jvmCpuNs, long javaThreadsCpuNs, long sideCpuNs, long pgCpuNs, long pgSystemNs,
      long allocatedBytes, long gcCount, long gcMs) {
    Sample minus(Sample o) {
      return new Sample(jvmCpuNs - o.jvmCpuNs, javaThreadsCpuNs - o.javaThreadsCpuNs, sideCpuNs - o.sideCpuNs,
          pgCpuNs - o.pgCpuNs, pgSystemNs - o.pgSystemNs, allocatedBytes - o.allocatedBytes, gcCount - o.gcCount,
          gcMs - o.gcMs);
    }

    /** CPU of the server's threads: this JVM's Java threads less the load generator's and the scripted LLM's. */
    long serverNs() {
      return javaThreadsCpuNs - sideCpuNs;
    }

    /** One line of per-step figures for {@code steps} steps. */
    String perStep(long steps) {
      double n = Math.max(1, steps);
      return String.format("cpu/step: jvm=%.3f ms (server %.3f, llm+load %.3f, gc+jit %.3f) postgres=%.3f ms"
              + " (kernel %.3f) total=%.3f ms; alloc/step=%.1f KB; gc: %d collections, %d ms",
          jvmCpuNs / n / 1e6, serverNs() / n / 1e6, sideCpuNs / n / 1e6,
          (jvmCpuNs - javaThreadsCpuNs) / n / 1e6, pgCpuNs / n / 1e6, pgSystemNs / n / 1e6,
          (jvmCpuNs + pgCpuNs) / n / 1e6, allocatedBytes / n / 1024, gcCount, gcMs);
    }
  }

  Sample sample() {
    // a thread that ended (a phase's callers) keeps the CPU it was last seen with: without that, its CPU would drop
    // out of the sums between two samples, and the load generator's share of a phase could come out negative
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t > 0) {
        lastSeenCpuNs.merge(id, t, Math::max);
      }
    }
    long side = 0;
    long all = 0;
    for (var e : lastSeenCpuNs.entrySet()) {
      all += e.getValue();
      if (sideThreads.contains(e.getKey())) {
        side += e.getValue();
      }
    }
    long gcCount = 0;
    long gcMs = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMs += Math.max(0, gc.getCollectionTime());
    }
    long[] pg = postgresCpuNs();
    return new Sample(os.getProcessCpuTime(), all, side, pg[0] + pg[1], pg[1],
        threads.getTotalThreadAllocatedBytes(), gcCount, gcMs);
  }

  /** CPU so far of this process's threads (native ones too: GC, JIT), by thread name with digits removed. */
  static java.util.Map<String, Long> threadGroupsCpuNs() {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(task -> {
        String stat = read(task.resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < 0) {
          return;
        }
        String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
        String[] f = stat.substring(close + 2).split(" ");
        out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * CLOCK_TICK_NS, Long::sum);
      });
    } catch (IOException | RuntimeException e) {
      return out;
    }
    return out;
  }

  /** User and system CPU of the postmaster serving {@code pgDataDir} and of its children (the backends). */
  private long[] postgresCpuNs() {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      long[] postmaster = {-1};
      var stats = procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .map(p -> {
            long pid = Long.parseLong(p.getFileName().toString());
            if (postmaster[0] < 0 && read(p.resolve("cmdline")).contains(pgDataDir)) {
              postmaster[0] = pid;
            }
            return new long[] {pid, 0, 0};
          }).toList();
      if (postmaster[0] < 0) {
        return new long[2];
      }
      long user = 0;
      long system = 0;
      for (long[] s : stats) {
        String stat = read(Path.of("/proc", Long.toString(s[0]), "stat"));
        int close = stat.lastIndexOf(')');
        if (close < 0) {
          continue;
        }
        String[] f = stat.substring(close + 2).split(" ");
        long ppid = Long.parseLong(f[1]);
        if (s[0] == postmaster[0] || ppid == postmaster[0]) {
          user += Long.parseLong(f[11]);
          system += Long.parseLong(f[12]);
        }
      }
      return new long[] {user * CLOCK_TICK_NS, system * CLOCK_TICK_NS};
    } catch (IOException | RuntimeException e) {
      return new long[2];
    }
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }
}
