package dev.engram.memory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** Our prompts for Mem0's inference and the semantic-memory chat (resources under prompts/). */
final class MemoryPrompts {
  private MemoryPrompts() {}

  static final String EXTRACT_USER = load("prompts/mem0_extract_user.txt");
  static final String EXTRACT_AGENT = load("prompts/mem0_extract_agent.txt");
  static final String DECIDE = load("prompts/mem0_decide.txt");
  static final String PROCEDURAL = load("prompts/mem0_procedural.txt");
  static final String PROCEDURAL_REQUEST = "Write the procedural memory of the conversation above.";
  static final String CHAT_SYSTEM = load("prompts/chat_system.txt");

  /** A prompt with {{today}} replaced by today's UTC date. */
  static String dated(String prompt) {
    return prompt.replace("{{today}}", LocalDate.now(ZoneOffset.UTC).toString());
  }

  private static String load(String resource) {
    try (InputStream in = MemoryPrompts.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
