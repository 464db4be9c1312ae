package dev.engram.agent;

import dev.engram.kernel.Times;
import dev.engram.model.CoreMemory;
import java.time.Instant;
import java.time.ZoneId;

/** Renders the system message: the preset's instructions followed by the memory section with core memory. */
public final class SystemPrompt {
  private SystemPrompt() {}

  public static String compile(String instructions, CoreMemory memory, long recallCount, long archivalCount,
      Instant modified, ZoneId zone) {
    return instructions + "\n\n\n"
        + "### Memory [last modified: " + Times.stamp(modified, zone) + "]\n"
        + recallCount + " previous messages between you and the user are stored in recall memory"
        + " (use functions to access them)\n"
        + archivalCount + " total memories you created are stored in archival memory (use functions to access them)\n"
        + "\nCore memory shown below (limited in size, additional information stored in archival / recall memory):\n"
        + block(CoreMemory.PERSONA, memory.persona(), memory.limit()) + "\n"
        + block(CoreMemory.HUMAN, memory.human(), memory.limit());
  }

  private static String block(String label, String value, int limit) {
    return "<" + label + " characters=\"" + value.length() + "/" + limit + "\">\n" + value + "\n</" + label + ">";
  }
}
