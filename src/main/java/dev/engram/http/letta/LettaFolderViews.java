package dev.engram.http.letta;

import static dev.engram.http.PrefixedIds.AGENT;
import static dev.engram.http.PrefixedIds.FILE;
import static dev.engram.http.PrefixedIds.JOB;
import static dev.engram.http.PrefixedIds.PASSAGE;
import static dev.engram.http.PrefixedIds.SOURCE;
import static dev.engram.http.PrefixedIds.USER;
import static dev.engram.http.PrefixedIds.prefixed;

import dev.engram.agent.ArchivalHit;
import dev.engram.http.ArchivalHitViews;
import dev.engram.kernel.Times;
import dev.engram.model.Document;
import dev.engram.model.Job;
import dev.engram.model.Memory;
import dev.engram.model.Passage;
import dev.engram.model.Source;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Letta's shapes of archival passages, folders (sources), files, jobs and documents (letta-v1.md §2.4, §7, §9;
 * letta-memgpt.md §6.2), with prefixed ids. Where the MemGPT 0.4 client reads other names for the same thing
 * ({@code metadata_}, {@code user_id}, {@code doc_id}) both are given, so one view serves both clients.
 */
public final class LettaFolderViews {
  /** Letta 0.4's prefix of document ids (no route takes one, so it needs no normalising). */
  static final String DOCUMENT = "doc";

  private final LettaModels models;
  private final int defaultChunkTokens;

  public LettaFolderViews(LettaModels models, int defaultChunkTokens) {
    this.models = models;
    this.defaultChunkTokens = defaultChunkTokens;
  }

  /** The server's embedding_config with a chunk size (null: the server's). */
  JsonObject embeddingConfig(Integer chunkTokens) {
    return models.embeddingConfig().put("embedding_chunk_size", chunkTokens == null ? defaultChunkTokens : chunkTokens);
  }

  /** A {@code Passage}; {@code embedding} is not sent back (null is allowed). */
  JsonObject passage(Passage p) {
    String created = Times.iso(p.createdAt());
    JsonObject metadata = json(p.metadata());
    return new JsonObject().put("id", prefixed(PASSAGE, p.id())).put("text", p.text()).putNull("embedding")
        .put("embedding_config", embeddingConfig(null)).put("tags", new JsonArray(p.tags()))
        .put("metadata", metadata).put("metadata_", metadata.copy())
        .put("agent_id", prefixed(AGENT, p.agentId())).put("source_id", prefixed(SOURCE, p.sourceId()))
        .put("file_id", prefixed(FILE, p.fileId())).put("file_name", p.fileName())
        .put("doc_id", prefixed(DOCUMENT, p.documentId())).putNull("archive_id")
        .put("user_id", prefixed(USER, p.userId())).put("is_deleted", false)
        .put("created_at", created).put("updated_at", created)
        .putNull("created_by_id").putNull("last_updated_by_id");
  }

  /**
   * A memory of an attached Mem0 scope in an archival listing, in the shape of a passage: it keeps its Mem0 id (usable
   * on /memories/{id}; the archival delete routes do not take it), has no tags, agent, folder or file, and names its
   * provenance.
   */
  JsonObject memory(Memory m, String userId) {
    String created = Times.iso(m.createdAt());
    JsonObject metadata = json(m.metadata());
    return new JsonObject().put("id", m.id()).put("text", m.text()).putNull("embedding")
        .put("embedding_config", embeddingConfig(null)).put("tags", new JsonArray())
        .put("metadata", metadata).put("metadata_", metadata.copy())
        .putNull("agent_id").putNull("source_id").putNull("file_id").putNull("file_name").putNull("doc_id")
        .putNull("archive_id").put("user_id", prefixed(USER, userId)).put("is_deleted", false)
        .put("created_at", created).put("updated_at", Times.iso(m.updatedAt()))
        .putNull("created_by_id").putNull("last_updated_by_id")
        .put("provenance", ArchivalHitViews.memory(m));
  }

  /**
   * One result of an archival search, in Letta's shape, with Engram's score as its relevance and the hit's
   * provenance; a memory of an attached Mem0 scope keeps its Mem0 id (usable on /memories/{id}) and has no tags.
   */
  static JsonObject searchResult(ArchivalHit hit) {
    String id = hit.isMemory() ? hit.id() : prefixed(PASSAGE, hit.id());
    return new JsonObject().put("id", id).put("content", hit.text())
        .put("timestamp", Times.iso(hit.createdAt()))
        .put("tags", new JsonArray(hit.isMemory() ? List.of() : hit.passage().tags()))
        .put("relevance", new JsonObject().put("score", hit.score()))
        .put("provenance", ArchivalHitViews.provenance(hit));
  }

  /** A {@code Folder} (Letta 1.x), which is also a {@code Source} of the 0.4 client. */
  public JsonObject folder(Source s) {
    JsonObject metadata = json(s.metadata());
    return new JsonObject().put("id", prefixed(SOURCE, s.id())).put("name", s.name())
        .put("description", s.description()).put("instructions", s.instructions())
        .put("metadata", metadata).put("metadata_", metadata.copy())
        .put("embedding_config", embeddingConfig(s.chunkTokens()).put("embedding_model", s.embeddingModel())
            .put("embedding_dim", s.embeddingDim()))
        .put("vector_db_provider", "native").put("user_id", prefixed(USER, s.userId()))
        .put("created_at", Times.iso(s.createdAt())).put("updated_at", Times.iso(s.updatedAt()))
        .putNull("created_by_id").putNull("last_updated_by_id");
  }

  /**
   * A {@code FileMetadata}: the upload's job seen as a file; {@code content} (the text extracted) only when asked
   * for. Its status maps as created: pending, running: parsing until the text is split then embedding, completed,
   * failed: error.
   */
  static JsonObject file(Job j, boolean withContent, String content) {
    JsonObject json = new JsonObject().put("id", prefixed(FILE, j.id()))
        .put("source_id", prefixed(SOURCE, j.sourceId())).put("folder_id", prefixed(SOURCE, j.sourceId()))
        .put("file_name", j.fileName() != null ? j.fileName() : uploadedName(j))
        .put("original_file_name", j.originalFileName() != null ? j.originalFileName() : uploadedName(j))
        .putNull("file_path").put("file_type", j.fileType()).put("file_size", j.sizeBytes())
        .putNull("file_creation_date").putNull("file_last_modified_date")
        .put("processing_status", processingStatus(j)).put("error_message", j.error())
        .put("total_chunks", j.totalChunks()).put("chunks_embedded", j.chunksEmbedded())
        .put("created_at", Times.iso(j.createdAt())).put("updated_at", Times.iso(j.updatedAt()));
    if (withContent) {
      json.put("content", content);
    }
    return json;
  }

  static String processingStatus(Job j) {
    return switch (j.status()) {
      case Job.CREATED -> "pending";
      case Job.RUNNING -> j.totalChunks() == null ? "parsing" : "embedding";
      case Job.COMPLETED -> "completed";
      default -> "error";
    };
  }

  /** A {@code Job} (letta-memgpt.md §6.2, with Letta 1.x's names too): the upload as the 0.4 client polls it. */
  static JsonObject job(Job j) {
    JsonObject metadata = json(j.metadata());
    if (metadata.getValue("source_id") instanceof String source) {
      metadata.put("source_id", prefixed(SOURCE, source));
    }
    metadata.put("file_id", prefixed(FILE, j.id()));
    return new JsonObject().put("id", prefixed(JOB, j.id())).put("status", j.status()).put("job_type", "job")
        .put("user_id", prefixed(USER, j.userId()))
        .put("created_at", Times.iso(j.createdAt())).put("completed_at", Times.iso(j.completedAt()))
        .put("updated_at", Times.iso(j.updatedAt()))
        .put("metadata", metadata).put("metadata_", metadata.copy());
  }

  /** A {@code Document} of the 0.4 client: one loaded file with its text. */
  static JsonObject document(Document d) {
    JsonObject metadata = json(d.metadata());
    return new JsonObject().put("id", prefixed(DOCUMENT, d.id())).put("text", d.text() == null ? "" : d.text())
        .put("source_id", prefixed(SOURCE, d.sourceId())).put("user_id", prefixed(USER, d.userId()))
        .put("file_id", prefixed(FILE, d.jobId())).put("name", d.name())
        .put("metadata_", metadata).put("metadata", metadata.copy()).put("created_at", Times.iso(d.createdAt()));
  }

  private static String uploadedName(Job j) {
    return j.metadata().get("filename") instanceof String s ? s : null;
  }

  /** A record's metadata map as JSON (a copy: JsonObject would otherwise wrap the record's unmodifiable map). */
  private static JsonObject json(Map<String, Object> metadata) {
    return new JsonObject(new HashMap<>(metadata));
  }
}
