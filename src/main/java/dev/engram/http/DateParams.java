package dev.engram.http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The dates clients send (Letta's archival {@code created_at} and search bounds, Mem0's {@code expiration_date} and
 * {@code as_of}): ISO 8601 with an offset or {@code Z}, without one (taken as UTC), with a space instead of the
 * {@code T} (Python's {@code str(datetime)}), or a day {@code YYYY-MM-DD}; an offset's {@code +} that a query string
 * turned into a space is read as {@code +}. Anything else is a wrong field (422).
 */
public final class DateParams {
  private DateParams() {}

  /** The instant {@code value} names; a day is its first moment (UTC). Null stays null. */
  public static Instant start(String value, String field) {
    if (value == null) {
      return null;
    }
    LocalDate day = day(value);
    return day != null ? day.atStartOfDay().toInstant(ZoneOffset.UTC) : instant(value, field);
  }

  /** As {@link #start}, but a day is its last moment, so that a search "until 2026-05-14" includes that day. */
  public static Instant end(String value, String field) {
    if (value == null) {
      return null;
    }
    LocalDate day = day(value);
    return day != null ? day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minus(1, ChronoUnit.MICROS)
        : instant(value, field);
  }

  private static LocalDate day(String value) {
    if (value.length() != 10) {
      return null;
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Instant instant(String value, String field) {
    String iso = value.trim();
    if (iso.length() > 10 && iso.charAt(10) == ' ') {
      iso = iso.substring(0, 10) + 'T' + iso.substring(11);
    }
    // an unencoded "+00:00" in a query string arrives as " 00:00"
    iso = iso.replace(' ', '+');
    try {
      return OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeParseException withoutOffset) {
      try {
        return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        throw Bodies.invalid(field + " must be an ISO 8601 date-time (2026-05-14T16:58:54Z) or a date (2026-05-14), "
            + "got '" + (value.length() > 80 ? value.substring(0, 80) + "..." : value) + "'");
      }
    }
  }
}
