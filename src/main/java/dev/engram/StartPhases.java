package dev.engram;

import java.lang.management.ManagementFactory;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How long each phase of a start took, logged as one line when the server is ready: the first thing to look at when
 * a start is slow (the JVM itself, the database, the model, the indexes, the verticles). Phases may end on any
 * thread; each is timed from the end of the one before it, or from a start of its own when it ran beside others.
 */
final class StartPhases {
  private static final AtomicBoolean FIRST_IN_JVM = new AtomicBoolean(true);
  private final long began = System.nanoTime();
  private final StringJoiner line = new StringJoiner(", ");
  private long last = began;

  /** Ends the phase that ran since the previous one ended. */
  synchronized void done(String phase) {
    long now = System.nanoTime();
    add(phase, now - last);
    last = now;
  }

  /** Records a phase that ran beside the others, from {@code startedNanos} to now. */
  synchronized void doneBeside(String phase, long startedNanos) {
    add(phase + " (beside)", System.nanoTime() - startedNanos);
  }

  /**
   * The line: the JVM's own start (launch to this object: class loading, configuration), then each phase, then the
   * total from the launch. A JVM that starts more servers (the tests) has no launch in the later ones' lines.
   */
  synchronized String summary() {
    long bootMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    if (!FIRST_IN_JVM.compareAndSet(true, false)) {
      return line + "; ready " + bootMs + " ms after the boot began";
    }
    long uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
    return "launch to boot " + (uptimeMs - bootMs) + " ms, " + line + "; ready " + uptimeMs + " ms after the launch";
  }

  private void add(String phase, long nanos) {
    line.add(phase + " " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms");
  }
}
