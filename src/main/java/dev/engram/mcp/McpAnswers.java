package dev.engram.mcp;

import dev.engram.kernel.Json;
import dev.engram.model.McpServer;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportSessionNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Turns what an MCP server answered, or how talking to it failed, into the text of a tool result: the model and the
 * user read it, so it says what happened in words, not as a stack trace.
 */
final class McpAnswers {
  static final String EMPTY = "Empty response from tool";
  private static final int CAUSE_CHARS = 300;

  private McpAnswers() {}

  /** The tool's answer as text: its text parts, the structured content when there is nothing else, capped. */
  static McpToolResult of(McpSchema.CallToolResult result, int maxChars) {
    List<String> parts = new ArrayList<>();
    for (McpSchema.Content c : result.content()) {
      parts.add(text(c));
    }
    if (parts.isEmpty() && result.structuredContent() != null) {
      parts.add(json(result.structuredContent()));
    }
    String text = parts.isEmpty() ? EMPTY : String.join("\n", parts);
    return new McpToolResult(!Boolean.TRUE.equals(result.isError()), capped(text, maxChars));
  }

  private static String text(McpSchema.Content c) {
    if (c instanceof McpSchema.TextContent t) {
      return t.text();
    }
    if (c instanceof McpSchema.ImageContent i) {
      return "[image of type " + i.mimeType() + ", " + i.data().length() + " base64 characters]";
    }
    if (c instanceof McpSchema.AudioContent a) {
      return "[audio of type " + a.mimeType() + ", " + a.data().length() + " base64 characters]";
    }
    if (c instanceof McpSchema.EmbeddedResource r) {
      return r.resource() instanceof McpSchema.TextResourceContents t ? t.text()
          : "[resource " + r.resource().uri() + "]";
    }
    if (c instanceof McpSchema.ResourceLink l) {
      return "[resource link " + l.uri() + "]";
    }
    return json(c);
  }

  private static String json(Object value) {
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      return String.valueOf(value);
    }
  }

  static String capped(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return text;
    }
    return text.substring(0, maxChars) + "... [NOTE: the tool's answer was cut at " + maxChars + " of its "
        + text.length() + " characters]";
  }

  /** What went wrong, in words that name the server and, where known, the tool. */
  static String failure(McpServer server, String tool, Throwable failure, long timeoutMs) {
    String what = tool == null ? "MCP server '" + server.name() + "'" : "MCP tool '" + tool + "' of server '"
        + server.name() + "'";
    Throwable e = rootOf(failure);
    if (find(failure, TimeoutException.class) != null) {
      return what + " did not answer within " + timeoutMs + " ms";
    }
    if (failure instanceof McpConnection.ChildExited || e instanceof McpConnection.ChildExited) {
      return what + " failed: " + e.getMessage();
    }
    McpError error = find(failure, McpError.class);
    if (error != null) {
      return what + " answered with an error: " + brief(error.getMessage());
    }
    if (find(failure, ConnectException.class) != null || find(failure, HttpConnectTimeoutException.class) != null) {
      return "could not reach MCP server '" + server.name() + "' at " + server.serverUrl();
    }
    if (find(failure, McpTransportSessionNotFoundException.class) != null) {
      return what + " failed: the server no longer knows this session (it restarted?)";
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith("Failed to start process")) {
        return "could not start MCP server '" + server.name() + "' (" + server.command() + "): "
            + brief(rootOf(t).getMessage());
      }
    }
    String message = brief(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    if (e instanceof IllegalArgumentException || e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
      return what + " sent a malformed answer: " + message;
    }
    return what + " failed: " + message;
  }

  /**
   * Whether the request certainly never reached the server (refused connection, or a session the server no longer
   * knows), so sending it again on a new connection cannot run a tool twice.
   */
  static boolean undelivered(Throwable failure) {
    return find(failure, ConnectException.class) != null
        || find(failure, McpTransportSessionNotFoundException.class) != null;
  }

  /** Whether the connection is still good after this failure: only when the server itself answered an error. */
  static boolean keepsConnection(Throwable failure) {
    return failure instanceof McpError;
  }

  private static Throwable rootOf(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static String brief(String message) {
    if (message == null) {
      return "";
    }
    return message.length() <= CAUSE_CHARS ? message : message.substring(0, CAUSE_CHARS) + "...";
  }
}
