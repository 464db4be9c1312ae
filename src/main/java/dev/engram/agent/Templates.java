package dev.engram.agent;

import dev.engram.agent.tool.ToolRegistry;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Preset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The built-in texts an agent can be created from: presets (system prompts), personas and humans. The personas and
 * humans are block templates that every user sees beside their own (read-only, with stable ids); a persona or human
 * value that names no template is taken as the text itself.
 */
public final class Templates {
  public static final String DEFAULT_PRESET = "memgpt_chat";
  public static final String DEFAULT_PERSONA = "sam_pov";
  public static final String DEFAULT_HUMAN = "basic";
  /** The creation time shown for built-in templates and presets (they predate every user). */
  public static final Instant BUILT_IN_AT = Instant.EPOCH;

  private static final Map<String, String> PRESETS = Map.of(DEFAULT_PRESET, load("prompts/memgpt_chat.txt"));
  /** The instructions of an agent that speaks in plain text (memgpt_chat's tell it to speak through send_message). */
  private static final String TEXT_CHAT = load("prompts/text_chat.txt");
  private static final Map<String, String> PERSONAS = Map.of("sam_pov", load("prompts/persona_sam_pov.txt"));
  private static final Map<String, String> HUMANS = orderedHumans();
  private static final List<Block> BUILT_IN_BLOCKS = builtInBlocks();
  static final String SUMMARY_PROMPT = load("prompts/summarize.txt");

  private Templates() {}

  public static Set<String> presets() {
    return PRESETS.keySet();
  }

  public static String systemPrompt(String preset) {
    return PRESETS.get(preset);
  }

  /**
   * The instructions of an agent's system prompt: its own, else those of an agent that speaks in plain text when it
   * does, else its preset's.
   */
  public static String instructions(Agent agent) {
    if (agent.system() != null) {
      return agent.system();
    }
    if (agent.speaksInText()) {
      return TEXT_CHAT;
    }
    String preset = PRESETS.get(agent.preset());
    return preset != null ? preset : PRESETS.get(DEFAULT_PRESET);
  }

  /** The persona text for a built-in template name, or the value itself when it names none. */
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

  /** The built-in persona and human templates as blocks (no owner, read-only, created at {@link #BUILT_IN_AT}). */
  public static List<Block> builtInBlocks(String label) {
    return BUILT_IN_BLOCKS.stream().filter(b -> label == null || b.label().equals(label)).toList();
  }

  /** The built-in template with this id, or null. */
  public static Block builtInBlock(String id) {
    return BUILT_IN_BLOCKS.stream().filter(b -> b.id().equals(id)).findFirst().orElse(null);
  }

  /** The built-in template of this label and name, or null. */
  public static Block builtInBlock(String label, String name) {
    return BUILT_IN_BLOCKS.stream().filter(b -> b.label().equals(label) && b.templateName().equals(name))
        .findFirst().orElse(null);
  }

  /** The built-in presets, with the tools of the memgpt_chat preset. */
  public static List<Preset> builtInPresets(ToolRegistry tools) {
    List<Preset> out = new ArrayList<>();
    for (var e : PRESETS.entrySet()) {
      List<Map<String, Object>> functions = tools.schemas(tools.defaultToolNames()).stream()
          .map(s -> dev.engram.kernel.Json.plainMap(s)).toList();
      out.add(new Preset(stableId("preset", e.getKey()), null, e.getKey(), "The MemGPT chat preset", e.getValue(),
          PERSONAS.get(DEFAULT_PERSONA), DEFAULT_PERSONA, HUMANS.get(DEFAULT_HUMAN), DEFAULT_HUMAN, functions,
          BUILT_IN_AT));
    }
    return out;
  }

  private static List<Block> builtInBlocks() {
    List<Block> out = new ArrayList<>();
    PERSONAS.forEach((name, text) -> out.add(builtIn(CoreMemory.PERSONA, name, text)));
    HUMANS.forEach((name, text) -> out.add(builtIn(CoreMemory.HUMAN, name, text)));
    return List.copyOf(out);
  }

  private static Block builtIn(String label, String name, String text) {
    return new Block(stableId(label, name), null, label, text, Block.PERSONA_HUMAN_LIMIT, null, Map.of(), true, true,
        name, List.of(), 1, BUILT_IN_AT, BUILT_IN_AT);
  }

  private static String stableId(String kind, String name) {
    return UUID.nameUUIDFromBytes(("engram-built-in:" + kind + ":" + name).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private static Map<String, String> orderedHumans() {
    Map<String, String> humans = new LinkedHashMap<>();
    humans.put("basic", load("prompts/human_basic.txt"));
    humans.put("cs_phd", load("prompts/human_cs_phd.txt"));
    return humans;
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
