package dev.engram.http.letta;

import dev.engram.http.PrefixedIds;
import dev.engram.kernel.Times;
import dev.engram.model.Message;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import dev.engram.model.ToolCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A run's events and stored messages in Letta's {@code message_type} vocabulary (the {@code /v1} API). For a MemGPT
 * agent that speaks through {@code send_message}: the monologue is a {@code reasoning_message}, a {@code send_message}
 * call is an {@code assistant_message} (its call and its return are not shown), any other call is a
 * {@code tool_call_message} followed by a {@code tool_return_message}. For an agent that speaks in plain text
 * (letta-v1.md §6.5: {@code letta_v1_agent}), the model's text is the {@code assistant_message}, shown whatever
 * {@code use_assistant_message} says (there is no call to show instead). Ids are prefixed; parts of one stored
 * message share its id and differ by {@code otid}.
 */
final class LettaMessages {
  static final String SEND_MESSAGE = "send_message";
  private static final int REASONING_PART = 0;
  /** The text of an agent that speaks in plain text, which has no reasoning part. */
  private static final int TEXT_PART = 0;
  private static final int CALL_PART = 1;

  private LettaMessages() {}

  /**
   * One event of a run as {@code view} shows it, or null when it shows nothing for it (by default the call and the
   * return of send_message, whose text is the assistant_message). {@code seq_id} is the event's seq: what a client
   * resumes after.
   */
  static JsonObject event(StepEvent e, String runId, LettaView view) {
    boolean assistantCall = e.call() != null && SEND_MESSAGE.equals(e.call().name());
    JsonObject json = switch (e.kind()) {
      case StepEvent.MONOLOGUE -> e.content() == null || e.content().isEmpty() ? null
          : reasoning(e.messageId(), e.content(), e.date());
      case StepEvent.ASSISTANT -> e.call() == null ? reply(e.messageId(), e.content(), e.date())
          : view.useAssistantMessage() ? assistant(e.messageId(), e.content(), e.date()) : null;
      case StepEvent.FUNCTION_CALL -> assistantCall && view.useAssistantMessage() ? null
          : toolCall(e.messageId(), e.call(), e.date());
      case StepEvent.FUNCTION_RETURN -> assistantCall && view.useAssistantMessage() ? null
          : toolReturn(e.messageId(), e.call().id(), e.content(), e.status(), e.date(), printed(e.stdout()),
              printed(e.stderr()));
      case StepEvent.APPROVAL_REQUEST -> approvalRequest(e.messageId(), e.call(), e.date());
      default -> null;
    };
    if (!view.shows(json)) {
      return null;
    }
    return json.put("run_id", PrefixedIds.prefixed(PrefixedIds.RUN, runId)).put("seq_id", e.seq());
  }

  /**
   * A fragment of a step as the model streams it (token mode), or null when {@code view} does not show it: the same
   * {@code id} and {@code otid} as the whole message the step's commit brings, with the next piece of its reasoning,
   * content or tool-call arguments ({@code tool_call} is a delta: keys without a value are left out).
   */
  static JsonObject delta(StepDelta d, String runId, LettaView view) {
    Instant now = Times.now();
    JsonObject json = switch (d.kind()) {
      case StepEvent.MONOLOGUE -> reasoning(d.messageId(), d.text(), now);
      case StepEvent.ASSISTANT -> d.callName() == null ? reply(d.messageId(), d.text(), now)
          : view.useAssistantMessage() ? assistant(d.messageId(), d.text(), now) : null;
      case StepEvent.FUNCTION_CALL, StepEvent.APPROVAL_REQUEST -> {
        boolean paused = StepEvent.APPROVAL_REQUEST.equals(d.kind());
        if (!paused && view.useAssistantMessage() && SEND_MESSAGE.equals(d.callName())) {
          yield null;
        }
        JsonObject call = new JsonObject();
        if (d.opens()) {
          call.put("name", d.callName());
        }
        if (d.text() != null && !d.text().isEmpty()) {
          call.put("arguments", d.text());
        }
        if (d.opens() && d.callId() != null) {
          call.put("tool_call_id", d.callId());
        }
        yield common(d.messageId(), CALL_PART, paused ? "approval_request_message" : "tool_call_message", now)
            .put("tool_call", call).put("tool_calls", call.copy());
      }
      default -> null;
    };
    return view.shows(json) ? json.put("run_id", PrefixedIds.prefixed(PrefixedIds.RUN, runId)) : null;
  }

  /** Which events a delta previews: the whole event of that kind for the same message (see {@link #delta}). */
  static String previewKey(String messageId, String kind) {
    return messageId + "/" + kind;
  }

  /**
   * A stored message as Letta's history shows it: zero, one or several messages (sharing its id). Whether its agent
   * {@code speaksInText} says what an assistant message's text is: the reply, or the monologue.
   */
  static List<JsonObject> history(Message m, LettaView view, boolean speaksInText) {
    List<JsonObject> out = new ArrayList<>(2);
    for (JsonObject json : history(m, view.useAssistantMessage(), speaksInText)) {
      if (view.shows(json)) {
        out.add(json);
      }
    }
    return out;
  }

  private static List<JsonObject> history(Message m, boolean useAssistantMessage, boolean speaksInText) {
    List<JsonObject> out = new ArrayList<>(2);
    switch (m.role()) {
      case Message.SYSTEM -> out.add(common(m.id(), 0, "system_message", m.createdAt()).put("content", m.text()));
      case Message.USER -> out.add(common(m.id(), 0, "user_message", m.createdAt()).put("content", m.readableText()));
      case Message.ASSISTANT -> {
        if (speaksInText ? m.text() != null && !m.text().isBlank() : m.text() != null && !m.text().isEmpty()) {
          out.add(speaksInText ? reply(m.id(), m.text(), m.createdAt()) : reasoning(m.id(), m.text(), m.createdAt()));
        }
        for (ToolCall call : m.toolCalls()) {
          if (SEND_MESSAGE.equals(call.name()) && useAssistantMessage) {
            String said = sentMessage(call);
            if (said != null) {
              out.add(assistant(m.id(), said, m.createdAt()));
            }
          } else {
            out.add(toolCall(m.id(), call, m.createdAt()));
          }
        }
      }
      case Message.APPROVAL -> out.add(approvalResponse(m));
      case Message.TOOL -> {
        if (!SEND_MESSAGE.equals(m.name()) || !useAssistantMessage) {
          JsonObject packaged = packaged(m.text());
          String status = "OK".equals(packaged.getString("status")) ? "success" : "error";
          Object result = packaged.getValue("message");
          out.add(toolReturn(m.id(), m.toolCallId(), result == null ? "None" : String.valueOf(result), status,
              m.createdAt()));
        }
      }
      default -> { }
    }
    return out;
  }

  private static JsonObject reasoning(String id, String text, Instant at) {
    return common(id, REASONING_PART, "reasoning_message", at).put("reasoning", text)
        .put("source", "non_reasoner_model").putNull("signature");
  }

  /** What send_message said: the part of the call. */
  private static JsonObject assistant(String id, String text, Instant at) {
    return common(id, CALL_PART, "assistant_message", at).put("content", text);
  }

  /** The text of an agent that speaks in plain text: the message's own part, before any call it makes. */
  private static JsonObject reply(String id, String text, Instant at) {
    return common(id, TEXT_PART, "assistant_message", at).put("content", text);
  }

  private static JsonObject toolCall(String id, ToolCall call, Instant at) {
    JsonObject c = new JsonObject().put("name", call.name()).put("arguments", call.arguments())
        .put("tool_call_id", call.id());
    return common(id, CALL_PART, "tool_call_message", at).put("tool_call", c).put("tool_calls", new JsonArray().add(c));
  }

  /** A call that waits for approval (or for a client-side tool's result): the same part as its tool_call_message. */
  static JsonObject approvalRequest(String id, ToolCall call, Instant at) {
    JsonObject c = new JsonObject().put("name", call.name()).put("arguments", call.arguments())
        .put("tool_call_id", call.id());
    return common(id, CALL_PART, "approval_request_message", at).put("tool_call", c)
        .put("tool_calls", new JsonArray().add(c));
  }

  /**
   * A stored answer to a paused call ({@code {"approvals": [...]}}, see agent.PausedCalls), with the deprecated
   * single-approval fields Letta still fills.
   */
  private static JsonObject approvalResponse(Message m) {
    JsonArray approvals;
    try {
      approvals = new JsonObject(m.text()).getJsonArray("approvals", new JsonArray());
    } catch (RuntimeException notJson) {
      approvals = new JsonArray();
    }
    JsonObject first = approvals.isEmpty() ? new JsonObject() : approvals.getJsonObject(0);
    boolean decision = "approval".equals(first.getString("type"));
    return common(m.id(), 0, "approval_response_message", m.createdAt()).put("approvals", approvals)
        .put("approve", decision ? first.getBoolean("approve") : null)
        .put("approval_request_id", null).put("reason", decision ? first.getString("reason") : null);
  }

  private static JsonObject toolReturn(String id, String callId, String result, String status, Instant at) {
    return toolReturn(id, callId, result, status, at, null, null);
  }

  /** {@code stdout} and {@code stderr}: what a custom tool printed, as Letta's one-element lists, or null. */
  private static JsonObject toolReturn(String id, String callId, String result, String status, Instant at,
      JsonArray stdout, JsonArray stderr) {
    JsonObject r = new JsonObject().put("type", "tool").put("tool_return", result).put("status", status)
        .put("tool_call_id", callId).put("stdout", stdout).put("stderr", stderr);
    return common(id, 0, "tool_return_message", at).put("tool_return", result).put("status", status)
        .put("tool_call_id", callId).put("stdout", stdout == null ? null : stdout.copy())
        .put("stderr", stderr == null ? null : stderr.copy()).put("tool_returns", new JsonArray().add(r));
  }

  private static JsonArray printed(String text) {
    return text == null || text.isEmpty() ? null : new JsonArray().add(text);
  }

  private static JsonObject common(String id, int part, String type, Instant at) {
    return new JsonObject().put("id", PrefixedIds.prefixed(PrefixedIds.MESSAGE, id)).put("date", Times.iso(at))
        .put("message_type", type).put("otid", otid(id, part)).putNull("name").putNull("sender_id")
        .putNull("step_id").putNull("is_err").putNull("seq_id").putNull("run_id");
  }

  /** Letta's part id: the message's UUID with its low 7 bits replaced by the part's index. */
  static String otid(String messageId, int part) {
    try {
      UUID uuid = UUID.fromString(messageId);
      return new UUID(uuid.getMostSignificantBits(), (uuid.getLeastSignificantBits() & ~0x7FL) | part).toString();
    } catch (IllegalArgumentException notUuid) {
      return messageId + "-" + part;
    }
  }

  private static String sentMessage(ToolCall call) {
    try {
      return new JsonObject(call.arguments()).getString("message");
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  private static JsonObject packaged(String text) {
    try {
      return new JsonObject(text);
    } catch (RuntimeException notJson) {
      return new JsonObject().put("status", "OK").put("message", text);
    }
  }
}
