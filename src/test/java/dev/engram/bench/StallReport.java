package dev.engram.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Where a phase's slow requests came from: the collector's pauses (this JVM's, from the GC notifications) or
 * elsewhere (a busy event loop, the database, the machine). A tail made of a few long stalls shows as many slow
 * requests sent close together; a request counts as caught by a pause when a pause overlaps its time in flight.
 */
final class StallReport {
  private record Pause(long startNs, long endNs) {}

  private final List<Pause> pauses = new ArrayList<>();
  private final long uptimeZeroNs;
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener;

  StallReport() {
    uptimeZeroNs = System.nanoTime() - ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
    listener = (notification, handback) -> {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
        long start = uptimeZeroNs + info.getStartTime() * 1_000_000L;
        synchronized (pauses) {
          pauses.add(new Pause(start, start + info.getDuration() * 1_000_000L));
        }
      }
    };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  /** One line about the requests sent at {@code sentNs} that took {@code latencyNs}, slower than {@code slowMs}. */
  String describe(long[] sentNs, long[] latencyNs, double slowMs) {
    List<Pause> seen;
    synchronized (pauses) {
      seen = List.copyOf(pauses);
      pauses.clear();
    }
    long from = Arrays.stream(sentNs).min().orElse(0);
    long[] durations = seen.stream().filter(p -> p.endNs() >= from).mapToLong(p -> p.endNs() - p.startNs())
        .sorted().toArray();
    int slow = 0;
    int caught = 0;
    for (int i = 0; i < sentNs.length; i++) {
      if (latencyNs[i] / 1e6 <= slowMs) {
        continue;
      }
      slow++;
      long start = sentNs[i];
      long end = start + latencyNs[i];
      if (seen.stream().anyMatch(p -> p.startNs() < end && p.endNs() > start)) {
        caught++;
      }
    }
    return String.format("slower than %.0f ms: %d requests, %d of them in flight during a GC pause; GC pauses: %d,"
        + " longest %d ms, total %d ms; bursts of slow requests (s from the start at %s: count, worst ms): %s", slowMs,
        slow, caught, durations.length, durations.length == 0 ? 0 : durations[durations.length - 1] / 1_000_000,
        Arrays.stream(durations).sum() / 1_000_000,
        java.time.Instant.ofEpochMilli(System.currentTimeMillis() - (System.nanoTime() - from) / 1_000_000),
        bursts(sentNs, latencyNs, slowMs, from));
  }

  /**
   * The slow requests grouped into bursts (sent within 100 ms of the previous slow one), so that a periodic cause
   * (a timer, a flush) shows as bursts at regular offsets.
   */
  private static String bursts(long[] sentNs, long[] latencyNs, double slowMs, long fromNs) {
    Integer[] order = new Integer[sentNs.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(sentNs[a], sentNs[b]));
    StringBuilder out = new StringBuilder();
    long burstStart = -1;
    long last = -1;
    int count = 0;
    long worst = 0;
    int shown = 0;
    for (int i : order) {
      if (latencyNs[i] / 1e6 <= slowMs) {
        continue;
      }
      if (last >= 0 && sentNs[i] - last > 100_000_000L) {
        shown += appendBurst(out, burstStart - fromNs, count, worst, shown);
        count = 0;
        worst = 0;
        burstStart = -1;
      }
      if (burstStart < 0) {
        burstStart = sentNs[i];
      }
      last = sentNs[i];
      count++;
      worst = Math.max(worst, latencyNs[i]);
    }
    if (count > 0) {
      appendBurst(out, burstStart - fromNs, count, worst, shown);
    }
    return out.length() == 0 ? "none" : out.toString();
  }

  private static int appendBurst(StringBuilder out, long offsetNs, int count, long worstNs, int shown) {
    if (count < 5 || shown >= 20) {
      return 0; // a lone slow request is not a burst; and the line stays readable
    }
    out.append(String.format("%s%.2f: %d, %.0f", out.length() == 0 ? "" : "; ", offsetNs / 1e9, count,
        worstNs / 1e6));
    return 1;
  }

  void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (javax.management.ListenerNotFoundException ignored) {
        // already gone
      }
    }
  }
}
