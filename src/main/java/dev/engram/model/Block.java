package dev.engram.model;

import dev.engram.kernel.ApiException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One block of core memory (Letta's model): a labelled text shown in the system prompt of every agent it is attached
 * to, at most {@code limit} characters long. {@code version} grows with every write, so that an edit made on what an
 * agent read can tell whether someone else wrote in between. {@code readOnly} binds the agents' memory tools only;
 * templates ({@code template}, named by {@code templateName}) are the saved humans and personas of the /api.
 */
public record Block(
    String id,
    String userId,
    String label,
    String value,
    int limit,
    String description,
    Map<String, Object> metadata,
    boolean readOnly,
    boolean template,
    String templateName,
    List<String> tags,
    long version,
    Instant createdAt,
    Instant updatedAt) {

  /** Letta's default limit of a block (CORE_MEMORY_BLOCK_CHAR_LIMIT in 0.16.8). */
  public static final int DEFAULT_LIMIT = 100_000;
  /** Letta's default limit of the persona and human blocks (CORE_MEMORY_PERSONA/HUMAN_CHAR_LIMIT). */
  public static final int PERSONA_HUMAN_LIMIT = 20_000;
  /** The longest label accepted: labels are tag names in the prompt and path segments on /v1. */
  public static final int MAX_LABEL_LENGTH = 256;

  public Block {
    value = value == null ? "" : value;
    metadata = metadata == null ? Map.of() : metadata;
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** The limit a new block gets when none is asked for, as Letta chooses it by label. */
  public static int defaultLimit(String label) {
    return CoreMemory.PERSONA.equals(label) || CoreMemory.HUMAN.equals(label) ? PERSONA_HUMAN_LIMIT : DEFAULT_LIMIT;
  }

  /** The block with a new value; over the limit is a clear 422 that names the block, as the memory tools say it. */
  public Block withValue(String newValue) {
    checkFits(label, newValue, limit);
    return new Block(id, userId, label, newValue, limit, description, metadata, readOnly, template, templateName, tags,
        version, createdAt, updatedAt);
  }

  /** The block as stored by a write: its new version and time. */
  public Block stored(long newVersion, Instant at) {
    return new Block(id, userId, label, value, limit, description, metadata, readOnly, template, templateName, tags,
        newVersion, createdAt, at);
  }

  /** Refuses a value longer than the limit with the message the memory tools have always given. */
  public static void checkFits(String label, String value, int limit) {
    if (value.length() > limit) {
      throw ApiException.unprocessable("Edit failed: Exceeds " + limit + " character limit (requested "
          + value.length() + "). Consider summarizing existing core memories in '" + label
          + "' or moving lower-priority content to archival memory, then try again.");
    }
  }

  /**
   * Refuses a label that is empty, blank, too long or holds a control character: a label is a tag of the prompt
   * ({@code <label ...>}) and a segment of a path.
   */
  public static void checkLabel(String label) {
    checkName("label", label);
  }

  /** The rule of labels and template names: 1 to 256 characters, none of them a control character. */
  public static void checkName(String field, String name) {
    if (name == null || name.isBlank()) {
      throw ApiException.unprocessable(field + " is required and must be a non-empty string");
    }
    if (name.length() > MAX_LABEL_LENGTH) {
      throw ApiException.unprocessable(field + " must be at most " + MAX_LABEL_LENGTH + " characters, got "
          + name.length());
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.unprocessable(field + " must not hold control characters");
    }
  }
}
