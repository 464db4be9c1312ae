package dev.engram.agent.rules;

import dev.engram.model.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The tool calls of the turn in progress, read back from the context window: the tool returns since the last message
 * that started a turn (a user's message or a system message sent by the client; heartbeats and the memory-pressure
 * alert happen inside a turn). Reading them from the context rather than counting them in the loop is what lets a
 * turn paused for an approval go on under the same rules after a restart. Calls the rules refused and calls denied
 * never ran, so they do not count: their returns start with {@link #REFUSED} or {@link #DENIED}.
 *
 * @param calls the names of the calls that ran, oldest first
 * @param lastOutput what the last of them returned (its output, unpackaged), or null
 */
public record TurnHistory(List<String> calls, String lastOutput) {
  /** How the return of a call the rules refused starts (Letta's words, which models trained on Letta know). */
  public static final String REFUSED = "[ToolConstraintError]";
  /** How the return of a call the user denied starts. */
  public static final String DENIED = "[ToolCallDenied]";
  /** The alert that warns of memory pressure (Inputs.MEMORY_WARNING starts so): it is sent inside a turn. */
  private static final String PRESSURE_PREFIX = "[This is an automated system message hidden from the user] The"
      + " conversation history will soon";

  public static TurnHistory of(List<Message> context) {
    List<String> calls = new ArrayList<>();
    String lastOutput = null;
    boolean sawLast = false;
    for (int i = context.size() - 1; i > 0; i--) {
      Message m = context.get(i);
      if (Message.USER.equals(m.role()) && startsTurn(m.text())) {
        break;
      }
      if (Message.TOOL.equals(m.role()) && m.name() != null) {
        String output = output(m.text());
        if (output.startsWith(REFUSED) || output.startsWith(DENIED)) {
          continue;
        }
        calls.add(m.name());
        if (!sawLast) {
          lastOutput = output;
          sawLast = true;
        }
      }
    }
    Collections.reverse(calls);
    return new TurnHistory(List.copyOf(calls), lastOutput);
  }

  private static boolean startsTurn(String text) {
    try {
      JsonObject json = new JsonObject(text);
      String type = json.getString("type");
      if ("heartbeat".equals(type)) {
        return false;
      }
      String message = json.getString("message");
      return !("system_alert".equals(type) && message != null && message.startsWith(PRESSURE_PREFIX));
    } catch (RuntimeException notJson) {
      return true;
    }
  }

  /** The output inside a packaged tool return ({@code {"status", "message", "time"}}), or the text as is. */
  static String output(String text) {
    try {
      Object message = new JsonObject(text).getValue("message");
      return message == null ? "None" : String.valueOf(message);
    } catch (RuntimeException notJson) {
      return text == null ? "" : text;
    }
  }
}
