package dev.engram.observe;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %trace} in a logback pattern: {@code [request_id=... run_id=...]} of the work that logged the line (see
 * {@link Trace}), or nothing outside of any request; in cluster mode the node's name comes first ({@code {node}}).
 * Read when the line is written, on the thread that logged it (the console appender is synchronous).
 */
public final class TraceConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    String node = Trace.node();
    String prefix = node == null ? "" : " {" + node + "}";
    Trace trace = Trace.current();
    if (trace == null) {
      return prefix;
    }
    String run = trace.runId();
    return prefix + (run == null ? " [request_id=" + trace.requestId() + "]"
        : " [request_id=" + trace.requestId() + " run_id=" + run + "]");
  }
}
