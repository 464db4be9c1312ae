package dev.engram.llm;

/**
 * How to reach an OpenAI-compatible chat-completions endpoint. {@code baseUrl} ends before {@code /chat/completions}
 * (e.g. {@code https://api.openai.com/v1} or {@code http://localhost:11434/v1}); null means no LLM is configured.
 */
public record LlmSettings(
    String baseUrl,
    String apiKey,
    String model,
    int contextWindow,
    long timeoutMs,
    int maxRetries,
    long retryBaseDelayMs,
    boolean stream) {

  public boolean configured() {
    return baseUrl != null && !baseUrl.isBlank();
  }
}
