package dev.engram.http.api;

import dev.engram.embed.EmbeddingSettings;
import dev.engram.kernel.Times;
import dev.engram.model.Document;
import dev.engram.model.Job;
import dev.engram.model.Memory;
import dev.engram.model.Passage;
import dev.engram.store.ArchivalProtocol.AgentRef;
import dev.engram.store.ArchivalProtocol.SourceView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** JSON shapes of archival passages, sources (SourceModel), documents and jobs (JobModel). */
public final class ArchivalViews {
  private final EmbeddingSettings embedding;
  private final int chunkTokens;

  public ArchivalViews(EmbeddingSettings embedding, int chunkTokens) {
    this.embedding = embedding;
    this.chunkTokens = chunkTokens;
  }

  /** EmbeddingConfig of the server's embedder. */
  JsonObject embeddingConfig() {
    return new JsonObject()
        .put("embedding_endpoint_type", embedding.remote() ? "openai" : "local")
        .put("embedding_endpoint", embedding.remote() ? embedding.baseUrl() : null)
        .put("embedding_model", embedding.model())
        .put("embedding_dim", embedding.dimension())
        .put("embedding_chunk_size", chunkTokens);
  }

  /** A passage as archival listings show it: {@code id} and {@code contents} first, as the 0.3 API had them. */
  static JsonObject passage(Passage p) {
    return new JsonObject().put("id", p.id()).put("contents", p.text()).put("text", p.text())
        .put("user_id", p.userId()).put("agent_id", p.agentId()).put("source_id", p.sourceId())
        .put("doc_id", p.documentId()).put("embedding_model", p.embeddingModel())
        .put("metadata_", json(p.metadata()))
        .put("created_at", Times.iso(p.createdAt()));
  }

  /**
   * A memory of an attached Mem0 scope in a search, shaped as a passage: its Mem0 id, text, metadata and time (no
   * agent, source or document: its provenance says where it came from).
   */
  static JsonObject memory(Memory m, String userId) {
    return new JsonObject().put("id", m.id()).put("contents", m.text()).put("text", m.text())
        .put("user_id", userId).putNull("agent_id").putNull("source_id").putNull("doc_id").putNull("embedding_model")
        .put("metadata_", json(m.metadata()))
        .put("created_at", Times.iso(m.createdAt()));
  }

  JsonObject source(SourceView view) {
    var s = view.source();
    JsonArray agents = new JsonArray();
    for (AgentRef a : view.attachedAgents()) {
      agents.add(new JsonObject().put("id", a.id()).put("name", a.name()));
    }
    return new JsonObject().put("id", s.id()).put("name", s.name()).put("description", s.description())
        .put("user_id", s.userId()).put("created_at", Times.iso(s.createdAt()))
        .put("embedding_config", embeddingConfig().put("embedding_model", s.embeddingModel())
            .put("embedding_dim", s.embeddingDim()))
        .put("metadata_", new JsonObject().put("num_documents", view.numDocuments())
            .put("num_passages", view.numPassages()).put("attached_agents", agents));
  }

  static JsonObject document(Document d) {
    return new JsonObject().put("id", d.id()).put("user_id", d.userId()).put("source_id", d.sourceId())
        .put("name", d.name()).put("chars", d.chars()).put("job_id", d.jobId())
        .put("metadata_", json(d.metadata()))
        .put("created_at", Times.iso(d.createdAt()));
  }

  static JsonObject job(Job j) {
    return new JsonObject().put("id", j.id()).put("status", j.status()).put("user_id", j.userId())
        .put("created_at", Times.iso(j.createdAt()))
        .put("completed_at", j.completedAt() == null ? null : Times.iso(j.completedAt()))
        .put("metadata_", json(j.metadata()));
  }

  /** A record's metadata map as JSON (a copy: JsonObject would otherwise wrap the record's unmodifiable map). */
  private static JsonObject json(Map<String, Object> metadata) {
    return new JsonObject(new HashMap<>(metadata));
  }
}
