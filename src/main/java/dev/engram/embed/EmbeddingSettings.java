package dev.engram.embed;

/**
 * Which embedder to run. With {@code baseUrl} null the in-process all-MiniLM-L6-v2 model is used; otherwise any
 * OpenAI-compatible {@code /embeddings} endpoint ({@code baseUrl} ends before {@code /embeddings}), whose vectors
 * must have {@code dimension} floats. Concurrent requests are micro-batched: up to {@code batchSize} texts, or
 * whatever arrived within {@code batchWaitMs}, run as one batch on {@code threads} workers.
 */
public record EmbeddingSettings(
    String baseUrl,
    String apiKey,
    String model,
    int dimension,
    int batchSize,
    long batchWaitMs,
    int threads,
    long timeoutMs) {

  public static final String LOCAL_MODEL = "all-MiniLM-L6-v2";
  public static final int LOCAL_DIMENSION = 384;

  public boolean remote() {
    return baseUrl != null && !baseUrl.isBlank();
  }
}
