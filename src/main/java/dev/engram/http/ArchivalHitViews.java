package dev.engram.http;

import dev.engram.agent.ArchivalHit;
import dev.engram.kernel.Times;
import dev.engram.model.Memory;
import dev.engram.model.Passage;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;

/**
 * What /api and /v1 add to an archival search hit or listed item: its {@code provenance}, which also marks a memory of an attached
 * Mem0 scope as such ({@code kind: mem0}). Kinds: {@code archival} (a passage the agent, or a caller for it,
 * inserted), {@code document} (a chunk of a document of an attached source: the source, the document, its file and
 * the passage), {@code mem0} (a memory: its id, its scope, and where the memory itself came from, {@code origin}).
 * Every kind carries the hit's {@code timestamp} (when it was stored).
 */
public final class ArchivalHitViews {
  private ArchivalHitViews() {}

  public static JsonObject provenance(ArchivalHit hit) {
    return hit.isMemory() ? memory(hit.memory()) : passage(hit.passage());
  }

  public static JsonObject passage(Passage p) {
    JsonObject json = new JsonObject().put("kind", p.sourceId() == null ? "archival" : "document")
        .put("passage_id", p.id());
    if (p.sourceId() == null) {
      json.put("agent_id", p.agentId());
    } else {
      json.put("source_id", p.sourceId()).put("document_id", p.documentId()).put("file_id", p.fileId())
          .put("file_name", p.fileName());
    }
    return json.put("timestamp", Times.iso(p.createdAt()));
  }

  public static JsonObject memory(Memory m) {
    JsonObject scope = new JsonObject().put("user_id", m.scopeUser()).put("agent_id", m.scopeAgent())
        .put("run_id", m.scopeRun());
    return new JsonObject().put("kind", "mem0").put("memory_id", m.id()).put("scope", scope)
        .put("origin", m.provenance().isEmpty() ? null : new JsonObject(new LinkedHashMap<>(m.provenance())))
        .put("timestamp", Times.iso(m.createdAt()));
  }
}
