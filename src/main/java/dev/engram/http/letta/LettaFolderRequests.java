package dev.engram.http.letta;

import dev.engram.http.Bodies;
import dev.engram.store.ArchivalProtocol.CreateSource;
import dev.engram.store.ArchivalProtocol.UpdateSource;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The bodies that create and update a folder, Letta 1.x's {@code FolderCreate}/{@code FolderUpdate} and the 0.4
 * client's {@code SourceCreate}/{@code SourceUpdate} ({@code metadata_} for {@code metadata}). The server has one
 * embedding model: a folder may name it (by its handle or in an {@code embedding_config}) but not another one.
 */
public final class LettaFolderRequests {
  static final int MAX_NAME = 100;
  static final int MAX_TEXT = 10_000;
  /**
   * The chunk sizes a folder may ask for, in tokens: below 16 a file becomes a passage every few words (as many
   * embeddings), above 8,192 far more than any embedding model reads at once.
   */
  static final int MIN_CHUNK_TOKENS = 16;
  static final int MAX_CHUNK_TOKENS = 8_192;

  private final LettaModels models;
  private final String embeddingModel;
  private final int embeddingDim;

  public LettaFolderRequests(LettaModels models, String embeddingModel, int embeddingDim) {
    this.models = models;
    this.embeddingModel = embeddingModel;
    this.embeddingDim = embeddingDim;
  }

  CreateSource create(String userId, JsonObject body) {
    String name = name(Bodies.requiredString(body, "name"));
    String handle = Bodies.optionalString(body, "embedding");
    if (handle != null && !handle.equals(models.embeddingHandle()) && !handle.equalsIgnoreCase(embeddingModel)) {
      throw Bodies.invalid("embedding must be " + models.embeddingHandle() + " (the server's embedding model), got '"
          + handle + "'");
    }
    JsonObject config = embeddingConfig(body);
    Integer chunkTokens = chunkTokens(body.getValue("embedding_chunk_size"), "embedding_chunk_size");
    if (chunkTokens == null && config != null) {
      chunkTokens = chunkTokens(config.getValue("embedding_chunk_size"), "embedding_config.embedding_chunk_size");
    }
    return new CreateSource(userId, name, text(body, "description"), embeddingModel, embeddingDim,
        text(body, "instructions"), metadata(body), chunkTokens);
  }

  /** An update: the fields given change, the others stay. */
  UpdateSource update(String userId, String sourceId, JsonObject body) {
    String name = Bodies.optionalString(body, "name");
    embeddingConfig(body);
    return new UpdateSource(userId, sourceId, name == null ? null : name(name), text(body, "description"),
        text(body, "instructions"), metadata(body));
  }

  static String name(String name) {
    if (name.isBlank() || name.length() > MAX_NAME) {
      throw Bodies.invalid("name must be 1 to " + MAX_NAME + " characters");
    }
    return name.strip();
  }

  private static String text(JsonObject body, String field) {
    return Bodies.bounded(Bodies.optionalString(body, field), field, MAX_TEXT);
  }

  private static Map<String, Object> metadata(JsonObject body) {
    JsonObject metadata = Bodies.optionalObject(body, "metadata");
    if (metadata == null) {
      metadata = Bodies.optionalObject(body, "metadata_");
    }
    return metadata == null ? null : metadata.getMap();
  }

  /** The body's embedding_config, checked to name the server's model if it names one. */
  private JsonObject embeddingConfig(JsonObject body) {
    JsonObject config = Bodies.optionalObject(body, "embedding_config");
    if (config == null) {
      return null;
    }
    Object model = config.getValue("embedding_model");
    if (model != null && !embeddingModel.equals(model)) {
      throw Bodies.invalid("embedding_config.embedding_model must be " + embeddingModel
          + " (the server's embedding model), got '" + model + "'");
    }
    Object dim = config.getValue("embedding_dim");
    if (dim != null && !(dim instanceof Number n && n.doubleValue() == embeddingDim)) {
      throw Bodies.invalid("embedding_config.embedding_dim must be " + embeddingDim + ", got " + dim);
    }
    return config;
  }

  private static Integer chunkTokens(Object value, String field) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < MIN_CHUNK_TOKENS || n.doubleValue() > MAX_CHUNK_TOKENS) {
      throw Bodies.invalid(field + " must be a whole number of tokens from " + MIN_CHUNK_TOKENS + " to "
          + MAX_CHUNK_TOKENS + ", got " + value);
    }
    return n.intValue();
  }
}
