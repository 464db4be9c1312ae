package dev.engram.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The admin dashboard's figures (GET /admin/dashboard), read from the process's meters. A sample is taken when the
 * dashboard asks (at most one a second, so nothing runs while nobody looks), and each sample becomes a point with the
 * figures of the moment: steps per second over the last {@link #RATE_WINDOW_MS}, step and LLM latency p50/p99 and the
 * error counts over the last {@link #RECENT_WINDOW_MS}, and the open streams. The last {@link #POINTS} points are kept
 * for the charts; after a longer pause than {@link #GAP_MS} the history starts afresh (a rate averaged over a pause
 * nobody watched would read as a figure of the moment).
 */
public final class Dashboard {
  static final long MIN_SPACING_MS = 1_000;
  /** Rates over 10 s: steady enough to read at a 2 s poll, recent enough to see a burst start and stop. */
  static final long RATE_WINDOW_MS = 10_000;
  /** Percentiles and error counts over a minute: a p99 needs more observations than a few seconds hold. */
  static final long RECENT_WINDOW_MS = 60_000;
  /** Five minutes of history at the web app's 2 s poll. */
  static final int POINTS = 150;
  static final long GAP_MS = 60_000;

  private final MeterRegistry registry;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  /** The cumulative readings of one moment, and the point computed from them and the earlier samples. */
  private record Sample(long at, double steps, HistogramWindow step, HistogramWindow llm, double http5xx,
      double llmErrors, JsonObject point) {}

  Dashboard(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The figures now, with the points of the charts, oldest first. */
  public synchronized JsonObject view(long now) {
    Sample last = samples.peekLast();
    if (last != null && now - last.at() > GAP_MS) {
      samples.clear();
      last = null;
    }
    if (last == null || now - last.at() >= MIN_SPACING_MS) {
      samples.addLast(sample(now));
      while (samples.size() > POINTS) {
        samples.removeFirst();
      }
    }
    JsonArray points = new JsonArray();
    samples.forEach(s -> points.add(s.point()));
    Sample latest = samples.peekLast();
    return new JsonObject()
        .put("sampled_at", Instant.ofEpochMilli(latest.at()).toString())
        .put("rate_window_seconds", RATE_WINDOW_MS / 1000)
        .put("recent_window_seconds", RECENT_WINDOW_MS / 1000)
        .put("now", latest.point())
        .put("points", points)
        .put("totals", new JsonObject().put("steps", (long) latest.steps()).put("http_5xx", (long) latest.http5xx())
            .put("llm_errors", (long) latest.llmErrors()))
        .put("runs_by_stop_reason", runsByStopReason());
  }

  private Sample sample(long now) {
    Timer stepTimer = registry.find("engram.agent.step").timer();
    double steps = stepTimer == null ? 0 : stepTimer.count();
    HistogramWindow step = stepTimer == null ? HistogramWindow.EMPTY : HistogramWindow.of(List.of(stepTimer));
    HistogramWindow llm = HistogramWindow.of(registry.find("engram.llm.request").timers());
    double http5xx = registry.find("vertx.http.server.requests").counters().stream()
        .filter(c -> { String code = c.getId().getTag("code"); return code != null && code.startsWith("5"); })
        .mapToDouble(Counter::count).sum();
    double llmErrors = registry.find("engram.llm.errors").counters().stream().mapToDouble(Counter::count).sum();

    Sample rateBase = base(now, RATE_WINDOW_MS);
    Sample recentBase = base(now, RECENT_WINDOW_MS);
    JsonObject point = new JsonObject().put("t", now);
    point.put("steps_per_second", rateBase == null ? null
        : round((steps - rateBase.steps()) * 1000.0 / (now - rateBase.at()), 3));
    // a quantile since start until a minute of history exists: the first view then shows figures at once
    HistogramWindow stepBefore = recentBase == null ? HistogramWindow.EMPTY : recentBase.step();
    HistogramWindow llmBefore = recentBase == null ? HistogramWindow.EMPTY : recentBase.llm();
    point.put("step_p50_ms", millis(step.quantileSince(stepBefore, 0.5)));
    point.put("step_p99_ms", millis(step.quantileSince(stepBefore, 0.99)));
    point.put("llm_p50_ms", millis(llm.quantileSince(llmBefore, 0.5)));
    point.put("llm_p99_ms", millis(llm.quantileSince(llmBefore, 0.99)));
    point.put("sse_streams", (long) gauge("sse"));
    point.put("websockets", (long) gauge("websocket"));
    point.put("http_5xx_recent", recentBase == null ? null : (long) (http5xx - recentBase.http5xx()));
    point.put("llm_errors_recent", recentBase == null ? null : (long) (llmErrors - recentBase.llmErrors()));
    return new Sample(now, steps, step, llm, http5xx, llmErrors, point);
  }

  /** The oldest sample within {@code window} before {@code now}, else the latest one (older), else none. */
  private Sample base(long now, long window) {
    for (Sample s : samples) {
      if (now - s.at() <= window) {
        return s;
      }
    }
    return samples.peekLast();
  }

  private double gauge(String kind) {
    Gauge gauge = registry.find("engram.http.streams.active").tag("kind", kind).gauge();
    return gauge == null ? 0 : gauge.value();
  }

  private JsonObject runsByStopReason() {
    Map<String, Long> runs = new TreeMap<>();
    registry.find("engram.agent.run").timers().forEach(t -> runs.merge(t.getId().getTag("stop_reason"), t.count(),
        Long::sum));
    JsonObject json = new JsonObject();
    runs.forEach(json::put);
    return json;
  }

  private static Double millis(Double seconds) {
    return seconds == null ? null : round(seconds * 1000, 1);
  }

  private static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }
}
