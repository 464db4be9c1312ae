package dev.engram.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The local LoCoMo conversations as the retrieval benchmarks read them: one user; one owner per conversation (in file
 * order); every turn with its id, owner and text, in conversation order; and the questions of categories 1-4 that name
 * their evidence.
 */
record LocomoData(UUID user, Map<String, UUID> ownerOf, List<String> turnIds, List<UUID> owners, List<String> texts,
    List<JsonObject> questions) {

  static LocomoData load(Path data) throws IOException {
    Map<String, UUID> ownerOf = new LinkedHashMap<>();
    List<String> turnIds = new ArrayList<>();
    List<UUID> owners = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (Object o : new JsonArray(Files.readString(data.resolve("locomo-dev.json")))) {
      JsonObject sample = (JsonObject) o;
      UUID owner = ownerOf.computeIfAbsent(sample.getString("sample_id"), s -> UUID.randomUUID());
      for (var turn : LocomoBenchmark.passages(sample.getJsonObject("conversation")).entrySet()) {
        turnIds.add(turn.getKey());
        owners.add(owner);
        texts.add(turn.getValue());
      }
    }
    List<JsonObject> questions = new ArrayList<>();
    for (String line : Files.readAllLines(data.resolve("locomo-dev-qa.jsonl"))) {
      JsonObject q = new JsonObject(line);
      if (q.getInteger("category") <= 4 && !q.getJsonArray("evidence").isEmpty()) {
        questions.add(q);
      }
    }
    return new LocomoData(UUID.randomUUID(), ownerOf, turnIds, owners, texts, questions);
  }
}
