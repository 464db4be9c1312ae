package dev.engram.http.letta;

import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.model.ClientTool;
import dev.engram.model.ToolAnswer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parts of a send that belong to paused tool calls (letta-v1.md §6.1): an answer as the send's first message
 * (ApprovalCreate {@code {type: "approval", approvals: [...]}} with approvals and client tool returns, its deprecated
 * form {@code {type: "approval", approve, approval_request_id, reason}}, or ToolReturnCreate
 * {@code {type: "tool_return", tool_returns: [...]}}), and {@code client_tools}. Whether the answers fit the thread's
 * paused call is for the agent to say; here only their shape is checked (422 naming the field).
 */
final class LettaAnswers {
  static final int MAX_CLIENT_TOOLS = 100;
  static final int MAX_TEXT = 1_000_000;
  private static final Pattern TOOL_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_-]{0,63}$");

  private LettaAnswers() {}

  /** Whether a message of a send is an answer rather than a MessageCreate. */
  static boolean isAnswer(JsonObject message) {
    Object type = message.getValue("type");
    return "approval".equals(type) || "tool_return".equals(type);
  }

  /** The answers of {@code message} (at {@code where}), one of the two answer kinds. */
  static List<ToolAnswer> parse(JsonObject message, String where) {
    List<ToolAnswer> out = new ArrayList<>();
    if ("tool_return".equals(message.getValue("type"))) {
      JsonArray returns = nonEmpty(message, "tool_returns", where);
      for (int i = 0; i < returns.size(); i++) {
        out.add(result(object(returns, i, where + ".tool_returns"), where + ".tool_returns[" + i + "]"));
      }
    } else if (message.getValue("approvals") != null) {
      JsonArray approvals = nonEmpty(message, "approvals", where);
      for (int i = 0; i < approvals.size(); i++) {
        String at = where + ".approvals[" + i + "]";
        JsonObject a = object(approvals, i, where + ".approvals");
        Object type = a.getValue("type");
        if ("tool".equals(type) || (type == null && a.getValue("approve") == null)) {
          out.add(result(a, at));
        } else if (type == null || "approval".equals(type)) {
          out.add(decision(a, at, Bodies.optionalString(a, "tool_call_id"), null));
        } else {
          throw Bodies.invalid(at + ".type must be \"approval\" or \"tool\", got '" + type + "'");
        }
      }
    } else {
      // the deprecated form: one decision on the request named by its message id
      String request = Bodies.optionalString(message, "approval_request_id");
      if (request == null || request.isBlank()) {
        throw Bodies.invalid(where + " must have approvals (or the deprecated approve and approval_request_id)");
      }
      out.add(decision(message, where, null, PrefixedIds.bare(request)));
    }
    Set<String> ids = new HashSet<>();
    for (ToolAnswer a : out) {
      if (a.toolCallId() != null && !ids.add(a.toolCallId())) {
        throw Bodies.invalid(where + " answers tool call " + a.toolCallId() + " twice");
      }
    }
    return out;
  }

  private static ToolAnswer decision(JsonObject a, String at, String callId, String requestId) {
    if (requestId == null && (callId == null || callId.isBlank())) {
      throw Bodies.invalid(at + ".tool_call_id is required");
    }
    if (!(a.getValue("approve") instanceof Boolean approve)) {
      throw Bodies.invalid(at + ".approve must be true or false");
    }
    String reason = Bodies.optionalString(a, "reason");
    if (reason != null) {
      Bodies.bounded(reason, at + ".reason", MAX_TEXT);
    }
    return new ToolAnswer(approve ? ToolAnswer.APPROVE : ToolAnswer.DENY, callId, requestId, reason, null, null,
        null, null);
  }

  private static ToolAnswer result(JsonObject r, String at) {
    String callId = Bodies.optionalString(r, "tool_call_id");
    if (callId == null || callId.isBlank()) {
      throw Bodies.invalid(at + ".tool_call_id is required");
    }
    String status = Bodies.optionalString(r, "status");
    if (!"success".equals(status) && !"error".equals(status)) {
      throw Bodies.invalid(at + ".status must be \"success\" or \"error\"");
    }
    Object value = r.getValue("tool_return");
    if (value == null) {
      throw Bodies.invalid(at + ".tool_return is required");
    }
    String output = value instanceof String s ? s : value instanceof JsonObject || value instanceof JsonArray
        ? Bodies.bounded(value.toString(), at + ".tool_return", MAX_TEXT) : String.valueOf(value);
    Bodies.bounded(output, at + ".tool_return", MAX_TEXT);
    return new ToolAnswer(ToolAnswer.RESULT, callId, null, null, status, output, lines(r, "stdout", at),
        lines(r, "stderr", at));
  }

  private static List<String> lines(JsonObject r, String field, String at) {
    Object value = r.getValue(field);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw Bodies.invalid(at + "." + field + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object o : array) {
      if (!(o instanceof String s)) {
        throw Bodies.invalid(at + "." + field + " must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  /** {@code client_tools}: [{name, description?, parameters?}], names unique and usable as function names. */
  static List<ClientTool> clientTools(JsonObject body) {
    Object value = body.getValue("client_tools");
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array) || array.size() > MAX_CLIENT_TOOLS) {
      throw Bodies.invalid("client_tools must be an array of at most " + MAX_CLIENT_TOOLS + " tools {name,"
          + " description?, parameters?}");
    }
    List<ClientTool> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String at = "client_tools[" + i + "]";
      JsonObject t = object(array, i, "client_tools");
      String name = Bodies.optionalString(t, "name");
      if (name == null || !TOOL_NAME.matcher(name).matches()) {
        throw Bodies.invalid(at + ".name must be a function name (letters, digits, _ and -, at most 64), got "
            + (name == null ? "nothing" : "'" + name + "'"));
      }
      if (!names.add(name)) {
        throw Bodies.invalid(at + ".name '" + name + "' is given twice");
      }
      String description = Bodies.optionalString(t, "description");
      JsonObject parameters = Bodies.optionalObject(t, "parameters");
      if (parameters != null && !"object".equals(parameters.getValue("type"))) {
        throw Bodies.invalid(at + ".parameters must be a JSON schema of type \"object\"");
      }
      out.add(new ClientTool(name, description, parameters == null ? null : parameters.getMap()));
    }
    return out;
  }

  private static JsonArray nonEmpty(JsonObject message, String field, String where) {
    if (!(message.getValue(field) instanceof JsonArray array) || array.isEmpty()) {
      throw Bodies.invalid(where + "." + field + " must be a non-empty array");
    }
    return array;
  }

  private static JsonObject object(JsonArray array, int i, String where) {
    if (!(array.getValue(i) instanceof JsonObject o)) {
      throw Bodies.invalid(where + "[" + i + "] must be an object");
    }
    return o;
  }
}
