package dev.engram.store;

import dev.engram.model.Document;
import dev.engram.model.Job;
import dev.engram.model.Passage;
import dev.engram.model.Source;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.UUID;

/** Row-to-record mapping for passages, sources, documents and jobs. */
final class ArchivalRows {
  private ArchivalRows() {}

  static final String PASSAGE_COLUMNS =
      "id, user_id, agent_id, source_id, document_id, text, embedding_model, metadata, created_at";
  static final String SOURCE_COLUMNS = "id, user_id, name, description, embedding_model, embedding_dim, created_at";
  static final String DOCUMENT_COLUMNS = "id, user_id, source_id, job_id, name, chars, metadata, created_at";
  static final String JOB_COLUMNS = "id, user_id, source_id, status, metadata, file_path, created_at, completed_at";

  static Passage passage(Row r) {
    return new Passage(r.getUUID("id").toString(), r.getUUID("user_id").toString(), str(r.getUUID("agent_id")),
        str(r.getUUID("source_id")), str(r.getUUID("document_id")), r.getString("text"),
        r.getString("embedding_model"), map(r.getJsonObject("metadata")),
        Rows.instant(r.getOffsetDateTime("created_at")));
  }

  static Source source(Row r) {
    return new Source(r.getUUID("id").toString(), r.getUUID("user_id").toString(), r.getString("name"),
        r.getString("description"), r.getString("embedding_model"), r.getInteger("embedding_dim"),
        Rows.instant(r.getOffsetDateTime("created_at")));
  }

  static Document document(Row r) {
    return new Document(r.getUUID("id").toString(), r.getUUID("user_id").toString(),
        r.getUUID("source_id").toString(), str(r.getUUID("job_id")), r.getString("name"), r.getInteger("chars"),
        map(r.getJsonObject("metadata")), Rows.instant(r.getOffsetDateTime("created_at")));
  }

  static Job job(Row r) {
    return new Job(r.getUUID("id").toString(), r.getUUID("user_id").toString(), str(r.getUUID("source_id")),
        r.getString("status"), map(r.getJsonObject("metadata")), r.getString("file_path"),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("completed_at")));
  }

  static Float[] boxed(float[] vector) {
    Float[] out = new Float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      out[i] = vector[i];
    }
    return out;
  }

  static float[] unboxed(Float[] vector) {
    float[] out = new float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      out[i] = vector[i];
    }
    return out;
  }

  private static Map<String, Object> map(JsonObject json) {
    return json == null ? Map.of() : json.getMap();
  }

  private static String str(UUID id) {
    return id == null ? null : id.toString();
  }
}
