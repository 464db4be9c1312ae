package dev.engram.store;

import static dev.engram.store.WebhookProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.Webhook;
import dev.engram.store.StoreProtocol.Done;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/** Typed access to the persistence verticle's webhooks over the event bus. */
public final class WebhookClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;

  public WebhookClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<Webhook> create(String userId, String project, String name, String url, String secret,
      List<String> eventTypes) {
    return ask(CREATE, new CreateWebhook(userId, project, name, url, secret, eventTypes)).map(WebhookReply::webhook);
  }

  /** The user's webhooks (of one project, or of all with a null project). */
  public Future<List<Webhook>> list(String userId, String project) {
    return ask(LIST, new ListWebhooks(userId, project)).map(Webhooks::webhooks);
  }

  public Future<Webhook> update(String userId, String webhookId, String name, String url, List<String> eventTypes) {
    return ask(UPDATE, new EditWebhook(userId, webhookId, name, url, eventTypes)).map(WebhookReply::webhook);
  }

  public Future<Done> delete(String userId, String webhookId) {
    return ask(DELETE, new DeleteWebhook(userId, webhookId));
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
