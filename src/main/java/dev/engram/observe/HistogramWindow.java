package dev.engram.observe;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * The cumulative bucket counts of one or more latency timers at one moment (bounds in seconds). Two of them taken
 * some seconds apart give the latencies of that window: a quantile of the difference, interpolated within its bucket
 * as Prometheus's {@code histogram_quantile} does, so the dashboard shows recent latencies, not those since start.
 */
record HistogramWindow(double[] bounds, double[] cumulative, double count) {
  static final HistogramWindow EMPTY = new HistogramWindow(new double[0], new double[0], 0);

  /** The sum of {@code timers}' histograms (timers of one name share their buckets; another shape is left out). */
  static HistogramWindow of(Collection<Timer> timers) {
    HistogramWindow sum = EMPTY;
    for (Timer timer : timers) {
      sum = sum.plus(of(timer.takeSnapshot()));
    }
    return sum;
  }

  static HistogramWindow of(HistogramSnapshot snapshot) {
    CountAtBucket[] buckets = snapshot.histogramCounts();
    double[] bounds = new double[buckets.length];
    double[] cumulative = new double[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      bounds[i] = buckets[i].bucket(TimeUnit.SECONDS);
      cumulative[i] = buckets[i].count();
    }
    return new HistogramWindow(bounds, cumulative, snapshot.count());
  }

  HistogramWindow plus(HistogramWindow other) {
    if (bounds.length == 0) {
      return other;
    }
    if (other.bounds.length != bounds.length) {
      return this;
    }
    double[] summed = cumulative.clone();
    for (int i = 0; i < summed.length; i++) {
      summed[i] += other.cumulative[i];
    }
    return new HistogramWindow(bounds, summed, count + other.count);
  }

  /**
   * The {@code q} quantile (0..1) in seconds of what was recorded after {@code earlier}, or null when nothing was.
   * A quantile above the highest bucket is that bucket's bound (the histogram knows no more).
   */
  Double quantileSince(HistogramWindow earlier, double q) {
    double total = count - (earlier.bounds.length == bounds.length ? earlier.count : 0);
    if (total <= 0 || bounds.length == 0) {
      return null;
    }
    double target = q * total;
    double below = 0;
    for (int i = 0; i < bounds.length; i++) {
      double upTo = cumulative[i] - (earlier.bounds.length == bounds.length ? earlier.cumulative[i] : 0);
      if (upTo >= target && upTo > below) {
        double lower = i == 0 ? 0 : bounds[i - 1];
        return lower + (bounds[i] - lower) * (target - below) / (upTo - below);
      }
      below = upTo;
    }
    return bounds[bounds.length - 1];
  }
}
