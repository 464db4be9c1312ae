package dev.engram.memory;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The two answers of Mem0's inference, checked strictly: the extracted facts, and the decisions on them. The model
 * sees existing memories under small integer ids; a decision naming an id it was not shown, an unknown event, or a
 * missing text makes the whole answer unusable (502, nothing applied).
 */
final class Decisions {
  private Decisions() {}

  /** A checked decision; {@code memoryId} is the real id (null for ADD). */
  record Decision(String event, String memoryId, String text) {}

  /** The facts of an extraction answer {@code {"facts": [...]}}; items may be strings or {"fact"|"text": ...}. */
  static List<String> facts(JsonObject answer) {
    Object raw = answer.getValue("facts");
    if (!(raw instanceof JsonArray list)) {
      throw LlmJson.malformed("fact extraction", "it has no \"facts\" list");
    }
    List<String> facts = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Object item : list) {
      String fact = item instanceof String s ? s
          : item instanceof JsonObject o ? firstText(o, "fact", "text") : null;
      if (fact == null) {
        throw LlmJson.malformed("fact extraction", "a fact is not a string: " + item);
      }
      if (!fact.isBlank() && seen.add(fact.strip())) {
        facts.add(fact.strip());
      }
    }
    return facts;
  }

  /**
   * The decisions of an update answer {@code {"memory": [{"id", "text", "event", "old_memory"}]}}. {@code shown}
   * maps the ids the model was shown to the real ids. NONE decisions are dropped; an UPDATE that keeps the text is
   * dropped; one memory may be the subject of one decision only.
   */
  static List<Decision> decisions(JsonObject answer, Map<String, String> shown, Map<String, String> shownText) {
    Object raw = answer.getValue("memory");
    if (!(raw instanceof JsonArray list)) {
      throw LlmJson.malformed("memory update decision", "it has no \"memory\" list");
    }
    List<Decision> out = new ArrayList<>();
    Set<String> decided = new HashSet<>();
    for (Object item : list) {
      if (!(item instanceof JsonObject d)) {
        throw LlmJson.malformed("memory update decision", "an entry is not an object: " + item);
      }
      String event = stringOf(d.getValue("event"));
      event = event == null ? "" : event.strip().toUpperCase(Locale.ROOT);
      String text = stringOf(d.getValue("text"));
      switch (event) {
        case "ADD" -> {
          if (text == null || text.isBlank()) {
            throw LlmJson.malformed("memory update decision", "an ADD has no text");
          }
          out.add(new Decision("ADD", null, text.strip()));
        }
        case "UPDATE", "DELETE", "NONE" -> {
          String shownId = stringOf(d.getValue("id"));
          String real = shownId == null ? null : shown.get(shownId.strip());
          if (real == null) {
            throw LlmJson.malformed("memory update decision", event + " names memory id '" + shownId
                + "', which was not among the memories shown (" + String.join(", ", shown.keySet()) + ")");
          }
          if (!decided.add(real)) {
            throw LlmJson.malformed("memory update decision", "memory id '" + shownId + "' has two decisions");
          }
          if (event.equals("UPDATE")) {
            if (text == null || text.isBlank()) {
              throw LlmJson.malformed("memory update decision", "an UPDATE has no text");
            }
            if (!text.strip().equals(shownText.get(real))) {
              out.add(new Decision("UPDATE", real, text.strip()));
            }
          } else if (event.equals("DELETE")) {
            out.add(new Decision("DELETE", real, null));
          }
        }
        default -> throw LlmJson.malformed("memory update decision", "unknown event '" + d.getValue("event")
            + "' (expected ADD, UPDATE, DELETE or NONE)");
      }
    }
    return out;
  }

  private static String firstText(JsonObject o, String... keys) {
    for (String key : keys) {
      if (o.getValue(key) instanceof String s) {
        return s;
      }
    }
    return null;
  }

  private static String stringOf(Object value) {
    return value instanceof String s ? s : value instanceof Number n ? n.toString() : null;
  }
}
