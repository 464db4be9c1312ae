package dev.engram.store;

import dev.engram.kernel.Endpoint;
import dev.engram.model.Webhook;
import dev.engram.store.StoreProtocol.Done;
import java.util.List;

/** Requests of the persistence verticle for the webhooks a user registers for asynchronous adds. */
public final class WebhookProtocol {
  private WebhookProtocol() {}

  public static final Endpoint<CreateWebhook, WebhookReply> CREATE =
      Endpoint.of("store.webhook.create", CreateWebhook.class, WebhookReply.class);
  public static final Endpoint<ListWebhooks, Webhooks> LIST =
      Endpoint.of("store.webhook.list", ListWebhooks.class, Webhooks.class);
  public static final Endpoint<EditWebhook, WebhookReply> UPDATE =
      Endpoint.of("store.webhook.update", EditWebhook.class, WebhookReply.class);
  public static final Endpoint<DeleteWebhook, Done> DELETE =
      Endpoint.of("store.webhook.delete", DeleteWebhook.class, Done.class);

  public record CreateWebhook(String userId, String project, String name, String url, String secret,
      List<String> eventTypes) {}
  /** The user's webhooks, oldest first; of one project unless {@code project} is null. */
  public record ListWebhooks(String userId, String project) {}
  /** A null field is left as it is. */
  public record EditWebhook(String userId, String webhookId, String name, String url, List<String> eventTypes) {}
  public record DeleteWebhook(String userId, String webhookId) {}
  public record WebhookReply(Webhook webhook) {}
  public record Webhooks(List<Webhook> webhooks) {}
}
