package dev.engram.observe;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;
import net.logstash.logback.encoder.LogstashEncoder;

/**
 * The console's encoder, chosen by {@code LOG_FORMAT} (a system property, else the environment): {@code json} writes
 * one JSON object per line (logstash-logback-encoder, with the request and run ids of {@link TraceJsonProvider});
 * anything else the {@link #setPattern pattern} of logback.xml. Logging starts before Engram reads its configuration
 * file, so this is the one setting that only the environment (or {@code -DLOG_FORMAT}) sets.
 */
public final class ConsoleEncoder extends EncoderBase<ILoggingEvent> {
  public static final String SETTING = "LOG_FORMAT";

  private String pattern = "%msg%n";
  private Encoder<ILoggingEvent> delegate;

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  static boolean json() {
    String value = System.getProperty(SETTING);
    if (value == null || value.isBlank()) {
      value = System.getenv(SETTING);
    }
    return value != null && value.trim().toLowerCase(Locale.ROOT).equals("json");
  }

  @Override
  public void start() {
    if (json()) {
      LogstashEncoder encoder = new LogstashEncoder();
      encoder.setContext(getContext());
      TraceJsonProvider trace = new TraceJsonProvider();
      trace.setContext(getContext());
      encoder.addProvider(trace);
      delegate = encoder;
    } else {
      PatternLayoutEncoder encoder = new PatternLayoutEncoder();
      encoder.setContext(getContext());
      encoder.setPattern(pattern);
      delegate = encoder;
    }
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
