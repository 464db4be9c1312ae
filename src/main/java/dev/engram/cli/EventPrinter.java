package dev.engram.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.Map;

/**
 * Prints a run's {@code /api} events for a person: the agent's inner monologue dimmed, each function call and its
 * return on lines of their own (a failed return in red), the assistant's messages plain and prominent. Colours are
 * ANSI escapes, left out when the output is not a terminal or the user asked for none.
 */
final class EventPrinter {
  private static final String RESET = "\u001b[0m";
  private static final String DIM = "\u001b[2;3m";
  private static final String YELLOW = "\u001b[33m";
  private static final String GREEN = "\u001b[32m";
  private static final String RED = "\u001b[31m";
  private static final String BOLD = "\u001b[1m";
  private static final String CYAN = "\u001b[36m";

  private final PrintStream out;
  private final boolean colour;
  /** Whether the last call was send_message, whose successful return ("None") says nothing to a person. */
  private boolean speaking;

  EventPrinter(PrintStream out, boolean colour) {
    this.out = out;
    this.colour = colour;
  }

  /** One streamed event. */
  void event(JsonObject e) {
    if (e.containsKey("internal_monologue")) {
      line(DIM, "  (thinks) ", e.getString("internal_monologue"));
    } else if (e.containsKey("function_call")) {
      String call = e.getString("function_call");
      speaking = call != null && call.startsWith("send_message(");
      if (!speaking) { // a send_message call shows as the assistant message that comes with it
        line(YELLOW, "  -> ", call);
      }
    } else if (e.containsKey("function_return")) {
      boolean ok = !"error".equals(e.getString("status"));
      if (!ok || !speaking) {
        line(ok ? GREEN : RED, ok ? "  <- " : "  <- failed: ", e.getString("function_return"));
      }
    } else if (e.containsKey("assistant_message")) {
      line(BOLD, "agent> ", e.getString("assistant_message"));
    } else if (e.containsKey("error")) {
      error(e.getString("error"));
    }
  }

  /** The agent's core memory, block by block, with how much recall and archival memory it has. */
  void memory(JsonObject memory) {
    JsonObject core = memory.getJsonObject("core_memory", new JsonObject());
    for (Map.Entry<String, Object> block : core) {
      line(CYAN, "[" + block.getKey() + "]", "");
      String.valueOf(block.getValue()).lines().forEach(l -> plain("  " + l));
    }
    info(memory.getLong("recall_memory", 0L) + " messages in recall memory, " + memory.getLong("archival_memory", 0L)
        + " passages in archival memory");
  }

  void info(String text) {
    line(DIM, "", text);
  }

  void error(String text) {
    line(RED, "error: ", text);
  }

  /** A prompt, left on its line for the answer. */
  void prompt(String text) {
    out.print(colour ? BOLD + text + RESET : text);
    out.flush();
  }

  void plain(String text) {
    out.println(text);
    out.flush();
  }

  private void line(String style, String prefix, String text) {
    String body = prefix + (text == null ? "" : text);
    out.println(colour ? style + body + RESET : body);
    out.flush();
  }
}
