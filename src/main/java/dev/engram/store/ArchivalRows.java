package dev.engram.store;

import dev.engram.model.Document;
import dev.engram.model.Job;
import dev.engram.model.Passage;
import dev.engram.model.Source;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Row-to-record mapping for passages, sources, documents and jobs. */
final class ArchivalRows {
  private ArchivalRows() {}

  /**
   * The text of the document {@code documents} row in scope: as kept, or for documents loaded before the text was
   * kept, its passages joined in the order they were stored.
   */
  static final String DOCUMENT_TEXT = "coalesce(documents.text, (select string_agg(x.text, E'\\n\\n' order by x.seq) "
      + "from passages x where x.document_id = documents.id))";
  /** A passage's own columns (an insert's {@code returning}); {@link #passage} then leaves its file unnamed. */
  static final String PASSAGE_COLUMNS =
      "id, user_id, agent_id, source_id, document_id, text, embedding_model, metadata, created_at, tags";
  /** A passage's columns with the file it came from, read {@code from} {@link #PASSAGE_FROM}. */
  static final String PASSAGE_SELECT = "p." + PASSAGE_COLUMNS.replace(", ", ", p.")
      + ", d.job_id as file_id, coalesce(j.file_name, d.name) as file_name";
  /** Passages (as {@code p}) with their document and its upload job (the file), when they came from one. */
  static final String PASSAGE_FROM =
      "passages p left join documents d on d.id = p.document_id left join jobs j on j.id = d.job_id";
  static final String SOURCE_COLUMNS = "id, user_id, name, description, embedding_model, embedding_dim, created_at, "
      + "instructions, metadata, chunk_tokens, updated_at";
  static final String DOCUMENT_COLUMNS = "id, user_id, source_id, job_id, name, chars, metadata, created_at, "
      + DOCUMENT_TEXT + " as text";
  static final String JOB_COLUMNS = "id, user_id, source_id, status, metadata, file_path, created_at, completed_at, "
      + "file_name, original_file_name, file_type, chunk_tokens, total_chunks, chunks_embedded, updated_at";

  static Passage passage(Row r) {
    boolean withFile = r.getColumnIndex("file_id") >= 0;
    return new Passage(r.getUUID("id").toString(), r.getUUID("user_id").toString(), str(r.getUUID("agent_id")),
        str(r.getUUID("source_id")), str(r.getUUID("document_id")), r.getString("text"),
        r.getString("embedding_model"), map(r.getJsonObject("metadata")),
        Rows.instant(r.getOffsetDateTime("created_at")), List.of(r.getArrayOfStrings("tags")),
        withFile ? str(r.getUUID("file_id")) : null, withFile ? r.getString("file_name") : null);
  }

  static Source source(Row r) {
    return new Source(r.getUUID("id").toString(), r.getUUID("user_id").toString(), r.getString("name"),
        r.getString("description"), r.getString("embedding_model"), r.getInteger("embedding_dim"),
        Rows.instant(r.getOffsetDateTime("created_at")), r.getString("instructions"), map(r.getJsonObject("metadata")),
        r.getInteger("chunk_tokens"), Rows.instant(r.getOffsetDateTime("updated_at")));
  }

  static Document document(Row r) {
    return new Document(r.getUUID("id").toString(), r.getUUID("user_id").toString(),
        r.getUUID("source_id").toString(), str(r.getUUID("job_id")), r.getString("name"), r.getInteger("chars"),
        map(r.getJsonObject("metadata")), Rows.instant(r.getOffsetDateTime("created_at")), r.getString("text"));
  }

  static Job job(Row r) {
    return new Job(r.getUUID("id").toString(), r.getUUID("user_id").toString(), str(r.getUUID("source_id")),
        r.getString("status"), map(r.getJsonObject("metadata")), r.getString("file_path"),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("completed_at")),
        r.getString("file_name"), r.getString("original_file_name"), r.getString("file_type"),
        r.getInteger("chunk_tokens"), r.getInteger("total_chunks"), r.getInteger("chunks_embedded"),
        Rows.instant(r.getOffsetDateTime("updated_at")));
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
