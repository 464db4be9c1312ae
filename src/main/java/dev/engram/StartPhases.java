package dev.engram;

import java.lang.management.ManagementFactory;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * How long each phase of a start took, logged as one line when the server is ready: the first thing to look at when
 * a start is slow (the JVM itself, the database, the model, the indexes, the verticles). Phases may end on any
 * thread; each is timed from the end of the one before it, or from a start of its own when it ran beside others.
 */
final class StartPhases {
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
   * total from the launch.
   */
  synchronized String summary() {
    long jvmMs = ManagementFactory.getRuntimeMXBean().getUptime()
        - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    return "launch to boot " + jvmMs + " ms, " + line + "; ready " + ManagementFactory.getRuntimeMXBean().getUptime()
        + " ms after the launch";
  }

  private void add(String phase, long nanos) {
    line.add(phase + " " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms");
  }
}
