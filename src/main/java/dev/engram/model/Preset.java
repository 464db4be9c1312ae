package dev.engram.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A preset of the MemGPT /api: a system prompt with the persona and human texts (and their template names) and the
 * function schemas an agent created from it starts with.
 */
public record Preset(
    String id,
    String userId,
    String name,
    String description,
    String system,
    String persona,
    String personaName,
    String human,
    String humanName,
    List<Map<String, Object>> functionsSchema,
    Instant createdAt) {

  public Preset {
    functionsSchema = functionsSchema == null ? List.of() : List.copyOf(functionsSchema);
  }
}
