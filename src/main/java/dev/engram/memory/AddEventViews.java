package dev.engram.memory;

import dev.engram.kernel.Times;
import dev.engram.model.AddEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;

/**
 * An asynchronous add's event as the Mem0 platform shows it ({@code GET /v1/event/{id}/}): id, event_type, status,
 * payload, metadata, results, the four times and latency in milliseconds, and ours: {@code error} (why it FAILED).
 * The same JSON is polled, pushed over SSE and POSTed to webhooks.
 */
public final class AddEventViews {
  private AddEventViews() {}

  public static JsonObject event(AddEvent e) {
    Long latency = e.startedAt() == null || e.completedAt() == null ? null
        : e.completedAt().toEpochMilli() - e.createdAt().toEpochMilli();
    return new JsonObject().put("id", e.id()).put("event_type", "ADD").put("status", e.status())
        .put("payload", new JsonObject(e.payload())).putNull("metadata")
        .put("results", new JsonArray(new ArrayList<>(e.results().stream().map(JsonObject::new).toList())))
        .put("error", e.error())
        .put("created_at", Times.iso(e.createdAt())).put("updated_at", Times.iso(e.updatedAt()))
        .put("started_at", Times.iso(e.startedAt())).put("completed_at", Times.iso(e.completedAt()))
        .put("latency", latency);
  }
}
