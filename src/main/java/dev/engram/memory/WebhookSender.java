package dev.engram.memory;

import dev.engram.model.AddEvent;
import dev.engram.model.Webhook;
import dev.engram.store.WebhookClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs a settled asynchronous add to the user's webhooks: the event's JSON ({@link AddEventViews}) signed with the
 * webhook's secret ({@code X-Engram-Signature: sha256=<hex HMAC-SHA256 of the body>}). A delivery that does not get a
 * 2xx is tried again, up to {@code attempts} times, {@code retryBaseMs} later and then twice as long each time. A
 * webhook takes a SUCCEEDED add when the add did one of its event types (memory_add, memory_update, memory_delete;
 * none listed: all), and every FAILED one. Deliveries live in this process: one still being retried when the server
 * stops is not sent (the event itself is kept and can be polled).
 */
final class WebhookSender {
  static final String SIGNATURE = "X-Engram-Signature";
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  private static final int TIMEOUT_MS = 10_000;
  private static final Map<String, String> TYPES = Map.of("ADD", "memory_add", "UPDATE", "memory_update",
      "DELETE", "memory_delete");

  private final Vertx vertx;
  private final WebhookClient webhooks;
  private final WebClient web;
  private final int attempts;
  private final long retryBaseMs;

  WebhookSender(Vertx vertx, WebhookClient webhooks, int attempts, long retryBaseMs) {
    this.vertx = vertx;
    this.webhooks = webhooks;
    this.web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(TIMEOUT_MS)
        .setUserAgent("engram-webhooks"));
    this.attempts = attempts;
    this.retryBaseMs = retryBaseMs;
  }

  /** Sends the event to each of its user's webhooks that takes it; never fails (failures are logged). */
  Future<Void> send(AddEvent event) {
    return webhooks.list(event.userId(), null).compose(all -> {
      Buffer body = Buffer.buffer(AddEventViews.event(event).encode());
      return Future.join(all.stream().filter(w -> w.active() && takes(w, event))
          .map(w -> deliver(w, event, body, 1)).toList()).<Void>mapEmpty();
    }).recover(e -> {
      LOG.warn("webhooks of add event {} not sent", event.id(), e);
      return Future.succeededFuture();
    });
  }

  static boolean takes(Webhook w, AddEvent event) {
    if (w.eventTypes().isEmpty() || AddEvent.FAILED.equals(event.status())) {
      return true;
    }
    return event.results().stream().map(r -> TYPES.get(String.valueOf(r.get("event")).toUpperCase(Locale.ROOT)))
        .anyMatch(w.eventTypes()::contains);
  }

  private Future<Void> deliver(Webhook w, AddEvent event, Buffer body, int attempt) {
    return web.postAbs(w.url()).timeout(TIMEOUT_MS).putHeader("Content-Type", "application/json")
        .putHeader(SIGNATURE, "sha256=" + sign(w.secret(), body))
        .putHeader("X-Engram-Event-Id", event.id())
        .putHeader("X-Engram-Delivery-Attempt", Integer.toString(attempt))
        .sendBuffer(body)
        .transform(ar -> {
          if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
            return Future.succeededFuture();
          }
          String why = ar.succeeded() ? "HTTP " + ar.result().statusCode() : String.valueOf(ar.cause().getMessage());
          if (attempt >= attempts) {
            LOG.warn("webhook {} gave up on add event {} after {} attempts ({})", w.id(), event.id(), attempt, why);
            return Future.succeededFuture();
          }
          long delay = retryBaseMs << Math.min(attempt - 1, 20);
          Promise<Void> later = Promise.promise();
          vertx.setTimer(Math.max(1, delay), t -> deliver(w, event, body, attempt + 1).onComplete(later));
          return later.future();
        });
  }

  static String sign(String secret, Buffer body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes()));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  void close() {
    web.close();
  }
}
