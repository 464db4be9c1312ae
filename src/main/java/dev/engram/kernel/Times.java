package dev.engram.kernel;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** Date formats that clients of the MemGPT API parse. */
public final class Times {
  private Times() {}

  private static final DateTimeFormatter ISO_MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter LOCAL_STAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd hh:mm:ss a zzzxx", Locale.ROOT);

  /** Current time truncated to microseconds, the precision PostgreSQL keeps, so stored and streamed dates agree. */
  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  /** UTC ISO-8601 with microseconds and {@code +00:00}, e.g. {@code 2024-02-29T06:07:47.844138+00:00}. */
  public static String iso(Instant instant) {
    return instant == null ? null : ISO_MICROS.format(instant);
  }

  /** The human-readable stamp shown to the model, e.g. {@code 2024-04-12 10:31:03 PM UTC+0000}. */
  public static String stamp(Instant instant, ZoneId zone) {
    return LOCAL_STAMP.format(ZonedDateTime.ofInstant(instant, zone));
  }
}
