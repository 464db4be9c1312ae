package dev.engram.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The named texts an agent can be created from: presets (system prompts), personas and humans. A persona or human
 * value that names no template is taken as the text itself.
 */
public final class Templates {
  public static final String DEFAULT_PRESET = "memgpt_chat";
  public static final String DEFAULT_PERSONA = "sam_pov";
  public static final String DEFAULT_HUMAN = "basic";

  private static final Map<String, String> PRESETS = Map.of(DEFAULT_PRESET, load("prompts/memgpt_chat.txt"));
  private static final Map<String, String> PERSONAS = Map.of("sam_pov", load("prompts/persona_sam_pov.txt"));
  private static final Map<String, String> HUMANS = Map.of(
      "basic", load("prompts/human_basic.txt"), "cs_phd", load("prompts/human_cs_phd.txt"));
  static final String SUMMARY_PROMPT = load("prompts/summarize.txt");

  private Templates() {}

  public static Set<String> presets() {
    return PRESETS.keySet();
  }

  public static String systemPrompt(String preset) {
    return PRESETS.get(preset);
  }

  /** The persona text for a template name, or the value itself when it names no template. */
  public static String persona(String nameOrText) {
    return PERSONAS.getOrDefault(nameOrText, nameOrText);
  }

  public static String human(String nameOrText) {
    return HUMANS.getOrDefault(nameOrText, nameOrText);
  }

  public static boolean isPersonaTemplate(String name) {
    return PERSONAS.containsKey(name);
  }

  public static boolean isHumanTemplate(String name) {
    return HUMANS.containsKey(name);
  }

  private static String load(String resource) {
    try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
