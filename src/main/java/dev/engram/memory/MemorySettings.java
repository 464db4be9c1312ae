package dev.engram.memory;

import dev.engram.llm.LlmSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the memory verticle asks the LLM with: the model, sampling settings, and optional prompts replacing ours for
 * fact extraction and for the update decision. Changed at run time by Mem0's {@code POST /configure}.
 */
public record MemorySettings(String model, double temperature, int maxTokens, String factExtractionPrompt,
    String updateMemoryPrompt) {

  public static final double DEFAULT_TEMPERATURE = 0.1;
  public static final int DEFAULT_MAX_TOKENS = 2000;
  /** The largest max_tokens taken: above any model's output limit, so a typo is caught here rather than by the LLM. */
  static final int MAX_TOKENS_LIMIT = 1_000_000;

  public static MemorySettings defaults(LlmSettings llm) {
    return new MemorySettings(llm.model(), DEFAULT_TEMPERATURE, DEFAULT_MAX_TOKENS, null, null);
  }

  /** The outcome of applying a Mem0 configuration object: the new settings and which keys took effect. */
  public record Configured(MemorySettings settings, List<String> applied, List<String> ignored) {}

  /**
   * Applies the parts of a Mem0 configuration this server honours at run time: {@code llm.config.model},
   * {@code temperature}, {@code max_tokens}, and the custom fact-extraction and update prompts. Everything else
   * (vector store, embedder, history path, ...) is reported as ignored: those are set by the server's own
   * configuration. Throws IllegalArgumentException for a value of the wrong type.
   */
  public Configured configure(Map<String, Object> config) {
    MemorySettings next = this;
    List<String> applied = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (var entry : config.entrySet()) {
      String key = entry.getKey();
      Object value = entry.getValue();
      switch (key) {
        case "custom_fact_extraction_prompt", "custom_prompt" -> {
          next = next.withFactPrompt(optionalText(key, value));
          applied.add(key);
        }
        case "custom_update_memory_prompt" -> {
          next = next.withUpdatePrompt(optionalText(key, value));
          applied.add(key);
        }
        case "llm" -> next = next.withLlm(object(key, value), applied, ignored);
        default -> ignored.add(key);
      }
    }
    return new Configured(next, applied, ignored);
  }

  private MemorySettings withLlm(Map<String, Object> llm, List<String> applied, List<String> ignored) {
    MemorySettings next = this;
    for (var entry : llm.entrySet()) {
      if (!"config".equals(entry.getKey())) {
        ignored.add("llm." + entry.getKey());
        continue;
      }
      for (var option : object("llm.config", entry.getValue()).entrySet()) {
        String key = "llm.config." + option.getKey();
        Object value = option.getValue();
        switch (option.getKey()) {
          case "model" -> next = new MemorySettings(text(key, value), next.temperature, next.maxTokens,
              next.factExtractionPrompt, next.updateMemoryPrompt);
          case "temperature" -> next = new MemorySettings(next.model, number(key, value, 0, 2), next.maxTokens,
              next.factExtractionPrompt, next.updateMemoryPrompt);
          case "max_tokens" -> next = new MemorySettings(next.model, next.temperature,
              wholeNumber(key, value, 1, MAX_TOKENS_LIMIT), next.factExtractionPrompt, next.updateMemoryPrompt);
          default -> {
            ignored.add(key);
            continue;
          }
        }
        applied.add(key);
      }
    }
    return next;
  }

  private MemorySettings withFactPrompt(String prompt) {
    return new MemorySettings(model, temperature, maxTokens, prompt, updateMemoryPrompt);
  }

  private MemorySettings withUpdatePrompt(String prompt) {
    return new MemorySettings(model, temperature, maxTokens, factExtractionPrompt, prompt);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(String key, Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(key + " must be an object");
    }
    return (Map<String, Object>) map;
  }

  private static String text(String key, Object value) {
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(key + " must be a non-empty string");
    }
    return s;
  }

  private static String optionalText(String key, Object value) {
    return value == null ? null : text(key, value);
  }

  /** A whole number in [min, max]: {@code 1.5} is refused, {@code 2000.0} (a JSON encoder's integer) is taken. */
  private static int wholeNumber(String key, Object value, int min, int max) {
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < min
        || n.doubleValue() > max) {
      throw new IllegalArgumentException(key + " must be a whole number between " + min + " and " + max + ", got "
          + shown(value));
    }
    return n.intValue();
  }

  private static double number(String key, Object value, double min, double max) {
    if (!(value instanceof Number n) || n.doubleValue() < min || n.doubleValue() > max) {
      throw new IllegalArgumentException(key + " must be a number between " + (long) min + " and " + (long) max
          + ", got " + shown(value));
    }
    return n.doubleValue();
  }

  /** The value as a detail quotes it: long ones are cut (a detail should not echo a whole request). */
  private static String shown(Object value) {
    String text = String.valueOf(value);
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
