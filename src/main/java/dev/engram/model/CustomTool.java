package dev.engram.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A user's own tool: Python {@code sourceCode} with one function named {@code name}, described to the model by
 * {@code jsonSchema} ({@code {name, description, parameters}}, without {@code request_heartbeat}: agents add it).
 * {@code env} are the tool's own environment variables (secrets: never rendered back in full);
 * {@code allowNetwork} lets it open connections when the server's configuration allows that at all;
 * {@code returnCharLimit} caps what the model sees of its return. {@code defaultRequiresApproval} is stored and shown
 * for the approval rules.
 */
public record CustomTool(
    String id,
    String userId,
    String name,
    String description,
    String sourceCode,
    String sourceType,
    Map<String, Object> jsonSchema,
    List<String> tags,
    int returnCharLimit,
    boolean defaultRequiresApproval,
    Map<String, String> env,
    boolean allowNetwork,
    Map<String, Object> metadata,
    Instant createdAt,
    Instant updatedAt) {

  public CustomTool {
    tags = tags == null ? List.of() : List.copyOf(tags);
    env = env == null ? Map.of() : Map.copyOf(env);
    metadata = metadata == null ? Map.of() : metadata;
    jsonSchema = jsonSchema == null ? Map.of() : jsonSchema;
  }
}
