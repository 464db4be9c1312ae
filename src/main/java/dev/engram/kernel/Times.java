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

  /** A formatted second, kept because many dates of a busy second share it. */
  private record Second(long epochSecond, ZoneId zone, String text) {}

  private static volatile Second lastIsoSecond = new Second(Long.MIN_VALUE, ZoneOffset.UTC, "");
  private static volatile Second lastStamp = new Second(Long.MIN_VALUE, ZoneOffset.UTC, "");

  /** UTC ISO-8601 with microseconds and {@code +00:00}, e.g. {@code 2024-02-29T06:07:47.844138+00:00}. */
  public static String iso(Instant instant) {
    if (instant == null) {
      return null;
    }
    Second second = lastIsoSecond;
    if (second.epochSecond() != instant.getEpochSecond()) {
      // the formatter's text up to the fraction: "yyyy-MM-ddTHH:mm:ss."
      String full = ISO_MICROS.format(Instant.ofEpochSecond(instant.getEpochSecond()));
      second = new Second(instant.getEpochSecond(), ZoneOffset.UTC, full.substring(0, full.length() - 12));
      lastIsoSecond = second;
    }
    int micros = instant.getNano() / 1000;
    StringBuilder out = new StringBuilder(32).append(second.text());
    for (int div = 100_000; div > 0; div /= 10) {
      out.append((char) ('0' + micros / div % 10));
    }
    return out.append("+00:00").toString();
  }

  /** The human-readable stamp shown to the model, e.g. {@code 2024-04-12 10:31:03 PM UTC+0000}. */
  public static String stamp(Instant instant, ZoneId zone) {
    Second second = lastStamp;
    if (second.epochSecond() != instant.getEpochSecond() || !second.zone().equals(zone)) {
      second = new Second(instant.getEpochSecond(), zone, LOCAL_STAMP.format(ZonedDateTime.ofInstant(instant, zone)));
      lastStamp = second;
    }
    return second.text();
  }
}
