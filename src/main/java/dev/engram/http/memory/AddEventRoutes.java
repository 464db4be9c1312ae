package dev.engram.http.memory;

import dev.engram.http.Authenticator;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.memory.AddEventViews;
import dev.engram.store.AddEventClient;
import io.vertx.core.Vertx;

import io.vertx.ext.web.RoutingContext;

/**
 * The outcome of asynchronous adds (async_mode): poll one event ({@code GET /events/{id}}, and the Mem0 platform's
 * {@code GET /v1/event/{id}/}), or follow them over Server-Sent Events ({@code GET /events/stream}: every add of the
 * caller as it settles; {@code ?event_id=} for one, the stream ending with it). Another user's event is 404.
 */
public final class AddEventRoutes {
  private final AddEventClient events;
  private final AddEventStreams streams;

  public AddEventRoutes(Vertx vertx, AddEventClient events) {
    this.events = events;
    this.streams = new AddEventStreams(vertx);
  }

  public void mount(RouteTable router) {
    router.get("/events/stream").handler(this::stream);
    router.get("/events/:event_id").handler(this::get);
    router.get("/v1/event/:event_id").handler(this::get);
  }

  private void get(RoutingContext ctx) {
    events.get(Authenticator.user(ctx), ctx.pathParam("event_id"))
        .onSuccess(e -> Responses.json(ctx, 200, AddEventViews.event(e)))
        .onFailure(ctx::fail);
  }

  /**
   * Follows the caller's adds. With {@code event_id} the event is checked first (404 when it is not the caller's),
   * the stream is opened before the event is read again, so that it cannot settle unseen in between, and a settled
   * one is sent at once.
   */
  private void stream(RoutingContext ctx) {
    String user = Authenticator.user(ctx);
    String eventId = MemoryRoutes.blankToNull(ctx.queryParams().get("event_id"));
    if (eventId == null) {
      streams.open(ctx, user, null);
      return;
    }
    events.get(user, eventId).onSuccess(first -> {
      if (first.finished()) {
        AddEventStreams.sendAndEnd(ctx, first);
        return;
      }
      streams.open(ctx, user, first.id());
      events.get(user, eventId).onSuccess(again -> {
        if (again.finished() && !ctx.response().ended()) {
          ctx.response().end(AddEventStreams.frame(again));
        }
      });
    }).onFailure(ctx::fail);
  }
}
