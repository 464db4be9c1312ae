package dev.engram.http.letta;

import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.http.OpenStreams;
import dev.engram.http.PrefixedIds;
import dev.engram.http.RunRelay;
import dev.engram.http.SlowClientGuard;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Times;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A run as Letta's Server-Sent Events (letta-v1.md §6.3): {@code data: <json>} per message with no event name, each
 * run event with an {@code id:} line (its seq) so that a client that lost the stream resumes after the last id it saw
 * ({@code Last-Event-ID} or {@code starting_after} on {@code POST /v1/runs/{id}/stream}); a {@code ping} first and
 * after every {@link #PING_AFTER_MS} of silence (unless {@code include_pings} is false); then {@code stop_reason}
 * (id last seq + 1), {@code usage_statistics} (+ 2) and {@code data: [DONE]}, and the response ends. A failure before
 * the run starts is a plain JSON error; after it: {@code stop_reason} then {@code event: error} with an
 * {@code error_message}, then {@code [DONE]}.
 *
 * <p>Token mode: fragments go out as they come, without ids; the step's events follow its commit, and those the
 * fragments previewed are not repeated: an {@code id:} line alone then moves the client's resume point past them. A
 * client that resumes gets whole events after that point.
 */
final class LettaStream implements RunRelay.Sink {
  static final long PING_AFTER_MS = 20_000;

  private final RoutingContext ctx;
  private final HttpServerResponse response;
  private final LettaView view;
  private final boolean pings;
  private final int skipThrough;
  private final SlowClientGuard guard = new SlowClientGuard();
  private final Set<String> previewed = new HashSet<>();
  private Runnable onDrop = () -> {};
  private String runId;
  private long timer = -1;
  private long lastWrite;

  /**
   * {@code skipThrough}: the resume point of a replay; the end's own ids (last seq + 1, + 2) at or below it are not
   * sent again.
   */
  LettaStream(RoutingContext ctx, LettaView view, boolean pings, int skipThrough) {
    this.ctx = ctx;
    this.response = ctx.response();
    this.view = view;
    this.pings = pings;
    this.skipThrough = skipThrough;
  }

  /** What to do when the client is dropped for not reading (stop following the run). */
  LettaStream onDrop(Runnable action) {
    this.onDrop = action;
    return this;
  }

  @Override
  public void started(String runId) {
    this.runId = runId;
    if (!open()) {
      return;
    }
    response.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no").writeHead();
    OpenStreams.sse(ctx);
    if (pings) {
      write(frame(null, ping()));
    }
    lastWrite = System.currentTimeMillis();
    timer = ctx.vertx().setPeriodic(PING_AFTER_MS / 4, t -> {
      if (System.currentTimeMillis() - lastWrite >= PING_AFTER_MS && open()) {
        write(pings ? frame(null, ping()) : ": keep-alive\n\n");
      }
    });
  }

  @Override
  public void deltas(List<StepDelta> deltas) {
    StringBuilder frames = new StringBuilder();
    for (StepDelta d : deltas) {
      JsonObject json = LettaMessages.delta(d, runId, view);
      if (json != null) {
        previewed.add(LettaMessages.previewKey(d.messageId(), d.kind()));
        frames.append(frame(null, json));
      }
    }
    write(frames.toString());
  }

  @Override
  public void events(List<StepEvent> events) {
    StringBuilder frames = new StringBuilder(256 * events.size());
    boolean lastSent = true;
    for (StepEvent e : events) {
      JsonObject json = previewed.contains(LettaMessages.previewKey(e.messageId(), e.kind())) ? null
          : LettaMessages.event(e, runId, view);
      lastSent = json != null;
      if (lastSent) {
        frames.append(frame(e.seq(), json));
      }
    }
    if (!lastSent && !previewed.isEmpty()) {
      frames.append("id: ").append(events.get(events.size() - 1).seq()).append("\n\n");
    }
    write(frames.toString());
  }

  @Override
  public void done(RunFinished end) {
    ended(end);
  }

  @Override
  public void ended(RunFinished end) {
    StringBuilder frames = new StringBuilder();
    int stopId = end.lastSeq() + 1;
    if (stopId > skipThrough) {
      frames.append(frame(stopId, LettaResponses.stopReason(end.stopReason())));
    }
    if (end.failed()) {
      if (stopId + 1 > skipThrough) {
        frames.append("id: ").append(stopId + 1).append("\nevent: error\n")
            .append("data: ").append(error(end.errorStatus(), end.error()).encode()).append("\n\n");
      }
    } else if (stopId + 1 > skipThrough) {
      frames.append(frame(stopId + 1, LettaResponses.usage(end, runId)));
    }
    finish(frames.append("data: [DONE]\n\n").toString());
  }

  @Override
  public void failed(ApiException error) {
    if (!response.headWritten()) {
      if (!response.closed()) {
        ctx.fail(error);
      }
      return;
    }
    finish(frame(null, LettaResponses.stopReason("error")) + "event: error\ndata: "
        + error(error.status(), error.getMessage()).encode() + "\n\ndata: [DONE]\n\n");
  }

  /** Stops the pings (the client is gone). */
  void cancelTimers() {
    if (timer >= 0) {
      ctx.vertx().cancelTimer(timer);
      timer = -1;
    }
  }

  private JsonObject ping() {
    return new JsonObject().put("id", "ping-" + UUID.randomUUID()).put("date", Times.iso(Times.now()))
        .put("message_type", "ping").put("run_id", PrefixedIds.prefixed(PrefixedIds.RUN, runId));
  }

  private JsonObject error(int status, String detail) {
    return new JsonObject().put("message_type", "error_message")
        .put("run_id", PrefixedIds.prefixed(PrefixedIds.RUN, runId))
        .put("error_type", status == 502 || status == 504 ? "llm_error" : "internal_error")
        .put("message", detail).put("detail", detail).put("status", status);
  }

  private static String frame(Integer id, JsonObject json) {
    return (id == null ? "" : "id: " + id + "\n") + "data: " + json.encode() + "\n\n";
  }

  private void write(String data) {
    if (data.isEmpty() || !open()) {
      return;
    }
    lastWrite = System.currentTimeMillis();
    if (!guard.write(data.length(), () -> response.write(data))) {
      cancelTimers();
      response.reset();
      onDrop.run();
    }
  }

  /** Writes the last frames and ends the response in one go. */
  private void finish(String lastFrames) {
    cancelTimers();
    if (open()) {
      response.end(lastFrames);
    }
  }

  private boolean open() {
    return !response.closed() && !response.ended();
  }
}
