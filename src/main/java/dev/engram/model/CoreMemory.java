package dev.engram.model;

import dev.engram.kernel.ApiException;

/** The two core-memory blocks kept in the context window, each limited to {@code limit} characters. */
public record CoreMemory(String persona, String human, int limit) {
  public static final String PERSONA = "persona";
  public static final String HUMAN = "human";

  public String section(String name) {
    return switch (name) {
      case PERSONA -> persona;
      case HUMAN -> human;
      default -> throw noSection(name);
    };
  }

  /** Returns the memory with one section set, enforcing the character limit. */
  public CoreMemory with(String name, String value) {
    if (value.length() > limit) {
      throw ApiException.unprocessable("Edit failed: Exceeds " + limit
          + " character limit (requested " + value.length() + "). Consider summarizing existing core memories in '"
          + name + "' or moving lower-priority content to archival memory, then try again.");
    }
    return switch (name) {
      case PERSONA -> new CoreMemory(value, human, limit);
      case HUMAN -> new CoreMemory(persona, value, limit);
      default -> throw noSection(name);
    };
  }

  public CoreMemory append(String name, String content) {
    return with(name, section(name) + "\n" + content);
  }

  public CoreMemory replace(String name, String oldContent, String newContent) {
    String current = section(name);
    if (oldContent == null || oldContent.isEmpty()) {
      throw ApiException.unprocessable("old_content must not be empty");
    }
    if (!current.contains(oldContent)) {
      throw ApiException.unprocessable("Content not found in " + name + " (make sure to use exact string)");
    }
    return with(name, current.replace(oldContent, newContent));
  }

  private static ApiException noSection(String name) {
    return ApiException.unprocessable("No memory section named " + name + " (must be either \"persona\" or \"human\")");
  }
}
