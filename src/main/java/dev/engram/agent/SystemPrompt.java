package dev.engram.agent;

import dev.engram.kernel.Times;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import java.time.Instant;
import java.time.ZoneId;

/**
 * Renders the system message: the instructions, the memory section (the sizes of recall and archival memory) and core
 * memory, every block as {@code <label characters="n/limit">value</label>} in the agent's order.
 */
public final class SystemPrompt {
  private SystemPrompt() {}

  public static String compile(String instructions, CoreMemory memory, long recallCount, long archivalCount,
      Instant modified, ZoneId zone) {
    return instructions + "\n\n\n" + externalSummary(recallCount, archivalCount, modified, zone) + coreMemory(memory);
  }

  /** The memory section's head: when memory last changed, and how much recall and archival memory hold. */
  public static String externalSummary(long recallCount, long archivalCount, Instant modified, ZoneId zone) {
    return "### Memory [last modified: " + Times.stamp(modified, zone) + "]\n"
        + recallCount + " previous messages between you and the user are stored in recall memory"
        + " (use functions to access them)\n"
        + archivalCount + " total memories you created are stored in archival memory (use functions to access them)\n";
  }

  /** Core memory as the prompt shows it: a heading, then every block. */
  public static String coreMemory(CoreMemory memory) {
    StringBuilder out = new StringBuilder(
        "\nCore memory shown below (limited in size, additional information stored in archival / recall memory):\n");
    boolean first = true;
    for (Block b : memory.blocks()) {
      if (!first) {
        out.append('\n');
      }
      first = false;
      out.append('<').append(b.label()).append(" characters=\"").append(b.value().length()).append('/')
          .append(b.limit()).append("\">\n").append(b.value()).append("\n</").append(b.label()).append('>');
    }
    return out.toString();
  }
}
