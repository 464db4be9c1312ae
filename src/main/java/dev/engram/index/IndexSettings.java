package dev.engram.index;

/**
 * Which vector index backs archival search. {@code lucene} (default) keeps an index on disk under ENGRAM_HOME;
 * {@code weaviate} uses a shared Weaviate server (one tenant per user), reached at {@code weaviateUrl} (REST) and
 * {@code weaviateGrpc} (host:port for gRPC), with an optional API key. On Lucene, a vector search over a scope of up
 * to {@code exactLimit} vectors is exact ({@link LuceneTuning#exactLimit()}; 0 turns it off), and a larger one asks
 * HNSW for {@code oversample} times the hits it needs ({@link LuceneTuning#oversample()}); its graphs are built with
 * a beam of {@code hnswBeam} ({@link LuceneTuning#hnswBeam()}).
 */
public record IndexSettings(String backend, String weaviateUrl, String weaviateGrpc, String weaviateApiKey,
    String weaviateCollection, int exactLimit, int oversample, int hnswBeam) {

  public IndexSettings(String backend, String weaviateUrl, String weaviateGrpc, String weaviateApiKey,
      String weaviateCollection) {
    this(backend, weaviateUrl, weaviateGrpc, weaviateApiKey, weaviateCollection, LuceneTuning.EXACT_LIMIT,
        LuceneTuning.OVERSAMPLE, LuceneTuning.HNSW_BEAM);
  }

  public boolean weaviate() {
    return "weaviate".equalsIgnoreCase(backend);
  }
}
