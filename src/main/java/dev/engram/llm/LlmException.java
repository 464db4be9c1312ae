package dev.engram.llm;

/** Why a chat completion could not be had. */
public final class LlmException extends RuntimeException {
  public enum Kind {
    /** No answer within the configured timeout, after retries. */
    TIMEOUT,
    /** The endpoint answered with an error or garbage, or could not be reached, after retries. */
    UPSTREAM,
    /** The prompt did not fit the model's context window ({@code context_length_exceeded}). */
    CONTEXT_OVERFLOW
  }

  private final Kind kind;

  public LlmException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
