package dev.engram.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import net.logstash.logback.composite.AbstractJsonProvider;

/** The JSON form of {@link TraceConverter}: {@code request_id} and {@code run_id} fields when a request is traced, and
 * {@code node} in cluster mode. */
public final class TraceJsonProvider extends AbstractJsonProvider<ILoggingEvent> {
  @Override
  public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
    String node = Trace.node();
    if (node != null) {
      generator.writeStringField("node", node);
    }
    Trace trace = Trace.current();
    if (trace == null) {
      return;
    }
    generator.writeStringField("request_id", trace.requestId());
    String run = trace.runId();
    if (run != null) {
      generator.writeStringField("run_id", run);
    }
  }
}
