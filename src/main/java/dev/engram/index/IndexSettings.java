package dev.engram.index;

/**
 * Which vector index backs archival search. {@code lucene} (default) keeps an index on disk under ENGRAM_HOME;
 * {@code weaviate} uses a shared Weaviate server (one tenant per user), reached at {@code weaviateUrl} (REST) and
 * {@code weaviateGrpc} (host:port for gRPC), with an optional API key.
 */
public record IndexSettings(String backend, String weaviateUrl, String weaviateGrpc, String weaviateApiKey,
    String weaviateCollection) {

  public boolean weaviate() {
    return "weaviate".equalsIgnoreCase(backend);
  }
}
