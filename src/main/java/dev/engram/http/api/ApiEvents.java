package dev.engram.http.api;

import dev.engram.model.StepEvent;
import dev.engram.kernel.Times;
import io.vertx.core.json.JsonObject;

/**
 * A run's events in the MemGPT vocabulary of {@code /api} (SSE and WebSocket): {@code {"internal_monologue": ...}},
 * {@code {"function_call": "name({python-style args})"}}, {@code {"assistant_message": ...}},
 * {@code {"function_return": ..., "status": ...}}, each with the stored message's {@code id} and an ISO {@code date}.
 */
public final class ApiEvents {
  private ApiEvents() {}

  static JsonObject toJson(StepEvent event) {
    // a call paused for approval shows as the function_call the MemGPT clients know, marked as waiting
    boolean paused = StepEvent.APPROVAL_REQUEST.equals(event.kind());
    String content = StepEvent.FUNCTION_CALL.equals(event.kind()) || paused
        ? event.call().name() + "(" + displayArguments(event.call().arguments()) + ")"
        : event.content();
    JsonObject json = new JsonObject().put(paused ? StepEvent.FUNCTION_CALL : event.kind(), content);
    if (paused) {
      json.put("requires_approval", true);
    }
    if (event.status() != null) {
      json.put("status", event.status());
    }
    return json.put("id", event.messageId()).put("date", Times.iso(event.date()));
  }

  /** The call's arguments as Python's repr of the dict, without the heartbeat flag; raw when they are not JSON. */
  static String displayArguments(String raw) {
    try {
      JsonObject args = new JsonObject(raw == null || raw.isBlank() ? "{}" : raw);
      args.remove("request_heartbeat");
      return PythonRepr.of(args);
    } catch (RuntimeException notJson) {
      return raw;
    }
  }
}
