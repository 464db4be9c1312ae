package dev.engram.http.memory;

import dev.engram.http.OpenStreams;
import dev.engram.http.SlowClientGuard;
import dev.engram.memory.AddEventViews;
import dev.engram.memory.MemoryRequests;
import dev.engram.model.AddEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The open event streams of one HTTP verticle instance, by user: each settled asynchronous add (the memory verticles
 * publish it, every instance hears it) goes to its user's streams as {@code event: add_event} with the event's JSON.
 * A stream opened for one event ends after that event; a client that stops reading is dropped
 * ({@link SlowClientGuard}). Used on the instance's event loop only.
 */
final class AddEventStreams {
  static final String EVENT_NAME = "add_event";
  private static final long KEEP_ALIVE_MS = 15_000;

  /** One open stream; {@code eventId} null follows every event of the user. */
  private static final class Stream {
    final HttpServerResponse response;
    final String eventId;
    final SlowClientGuard guard = new SlowClientGuard();
    long keepAlive;

    Stream(HttpServerResponse response, String eventId) {
      this.response = response;
      this.eventId = eventId;
    }
  }

  private final Vertx vertx;
  private final Map<String, Set<Stream>> byUser = new HashMap<>();

  AddEventStreams(Vertx vertx) {
    this.vertx = vertx;
    MemoryRequests.ADD_EVENT_DONE.subscribe(vertx, done -> deliver(done.event()));
  }

  /** Starts the stream's head and keeps it until the client goes; {@code eventId} may be null. */
  void open(RoutingContext ctx, String userId, String eventId) {
    HttpServerResponse response = ctx.response();
    response.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no");
    response.writeHead();
    OpenStreams.sse(ctx);
    Stream stream = new Stream(response, eventId);
    byUser.computeIfAbsent(userId, u -> new LinkedHashSet<>()).add(stream);
    stream.keepAlive = vertx.setPeriodic(KEEP_ALIVE_MS, t -> {
      if (!response.closed() && !response.ended()) {
        response.write(": keep-alive\n\n");
      }
    });
    Runnable gone = () -> close(userId, stream);
    response.closeHandler(v -> gone.run());
    response.endHandler(v -> gone.run());
  }

  /** Sends {@code event} to the one stream that waits for it, and ends that stream (it was already settled). */
  static void sendAndEnd(RoutingContext ctx, AddEvent event) {
    ctx.response().setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache").end(frame(event));
  }

  private void deliver(AddEvent event) {
    Set<Stream> streams = byUser.get(event.userId());
    if (streams == null) {
      return;
    }
    String frame = frame(event);
    for (Stream s : Set.copyOf(streams)) {
      if (s.eventId != null && !s.eventId.equals(event.id())) {
        continue;
      }
      if (s.response.closed() || s.response.ended()) {
        close(event.userId(), s);
      } else if (s.eventId != null) {
        s.response.end(frame);
      } else if (!s.guard.write(frame.length(), () -> s.response.write(frame))) {
        s.response.reset();
        close(event.userId(), s);
      }
    }
  }

  private void close(String userId, Stream stream) {
    vertx.cancelTimer(stream.keepAlive);
    Set<Stream> streams = byUser.get(userId);
    if (streams != null && streams.remove(stream) && streams.isEmpty()) {
      byUser.remove(userId);
    }
  }

  static String frame(AddEvent event) {
    return "event: " + EVENT_NAME + "\ndata: " + AddEventViews.event(event).encode() + "\n\n";
  }
}
