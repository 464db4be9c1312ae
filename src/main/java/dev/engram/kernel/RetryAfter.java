package dev.engram.kernel;

/** The HTTP {@code Retry-After} header as a delay, for the clients that retry upstream calls (LLM, embeddings). */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * A numeric {@code Retry-After} (seconds) in milliseconds, at most {@code capMs}; -1 when the header is absent or
   * not a number of seconds (an HTTP date is treated as absent).
   */
  public static long millis(String header, long capMs) {
    if (header == null) {
      return -1;
    }
    try {
      double seconds = Double.parseDouble(header.strip());
      return seconds < 0 || Double.isNaN(seconds) ? -1 : (long) Math.min(capMs, seconds * 1000);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
