package dev.engram.http.memory;

import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Times;
import dev.engram.model.Webhook;
import dev.engram.store.WebhookClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The Mem0 platform's webhooks ({@code /api/v1/webhooks/...}): where the outcome of each asynchronous add is POSTed,
 * signed with the webhook's secret (shown to its owner). A user is one project here: the project id of the path is
 * kept as a label. A URL must be http(s); a loopback or private address only for the admin unless
 * WEBHOOK_ALLOW_PRIVATE_URLS is set. Another user's webhook is 404.
 */
public final class WebhookRoutes {
  static final int MAX_URL_CHARS = 2_048;
  static final int MAX_NAME_CHARS = 256;
  private static final Set<String> EVENT_TYPES = Set.of("memory_add", "memory_update", "memory_delete",
      "memory_categorize");

  private final WebhookClient webhooks;
  private final boolean allowPrivateUrls;

  public WebhookRoutes(WebhookClient webhooks, boolean allowPrivateUrls) {
    this.webhooks = webhooks;
    this.allowPrivateUrls = allowPrivateUrls;
  }

  public void mount(RouteTable router) {
    router.get("/api/v1/webhooks/projects/:project_id").handler(this::list);
    router.post("/api/v1/webhooks/projects/:project_id").handler(this::create);
    router.put("/api/v1/webhooks/:webhook_id").handler(this::update);
    router.delete("/api/v1/webhooks/:webhook_id").handler(this::delete);
  }

  private void list(RoutingContext ctx) {
    String project = Bodies.bounded(ctx.pathParam("project_id"), "project_id", MAX_NAME_CHARS);
    webhooks.list(Authenticator.user(ctx), project)
        .onSuccess(all -> Responses.json(ctx, 200, new JsonArray(all.stream().map(WebhookRoutes::view).toList())))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String name = Bodies.bounded(Bodies.requiredString(body, "name"), "name", MAX_NAME_CHARS);
    String url = url(Bodies.requiredString(body, "url"));
    List<String> types = eventTypes(body);
    String project = Bodies.bounded(ctx.pathParam("project_id"), "project_id", MAX_NAME_CHARS);
    checkAddress(ctx, url)
        .compose(v -> webhooks.create(Authenticator.user(ctx), project, name, url, secret(),
            types == null ? List.of() : types))
        .onSuccess(w -> Responses.json(ctx, 201, view(w)))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String name = Bodies.bounded(Bodies.optionalString(body, "name"), "name", MAX_NAME_CHARS);
    String given = Bodies.optionalString(body, "url");
    String url = given == null ? null : url(given);
    List<String> types = eventTypes(body);
    if (name == null && url == null && types == null) {
      throw Bodies.invalid("give name, url and/or event_types to update");
    }
    (url == null ? Future.<Void>succeededFuture() : checkAddress(ctx, url))
        .compose(v -> webhooks.update(Authenticator.user(ctx), ctx.pathParam("webhook_id"), name, url, types))
        .onSuccess(w -> Responses.json(ctx, 200, view(w).put("message", "Webhook updated successfully")))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    webhooks.delete(Authenticator.user(ctx), ctx.pathParam("webhook_id"))
        .onSuccess(d -> Responses.json(ctx, 200, new JsonObject().put("message", "Webhook deleted successfully")))
        .onFailure(ctx::fail);
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new signing secret: 24 random bytes, URL-safe. */
  private static String secret() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String url(String value) {
    Bodies.bounded(value, "url", MAX_URL_CHARS);
    URI uri;
    try {
      uri = URI.create(value.strip());
    } catch (IllegalArgumentException e) {
      throw Bodies.invalid("url is not a URL: " + e.getMessage());
    }
    if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw Bodies.invalid("url must be an http:// or https:// URL with a host");
    }
    return uri.toString();
  }

  private static List<String> eventTypes(JsonObject body) {
    List<String> types = Bodies.optionalStrings(body, "event_types");
    if (types != null) {
      if (types.isEmpty()) {
        throw Bodies.invalid("event_types must name at least one of " + EVENT_TYPES + " (leave it out for all)");
      }
      for (String t : types) {
        if (!EVENT_TYPES.contains(t)) {
          throw Bodies.invalid("event_types: '" + t + "' is not one of " + EVENT_TYPES);
        }
      }
    }
    return types;
  }

  /** Refuses (422) a host that is or resolves to a non-public address, unless allowed; resolves off the loop. */
  private Future<Void> checkAddress(RoutingContext ctx, String url) {
    if (allowPrivateUrls || Authenticator.isAdmin(ctx)) {
      return Future.succeededFuture();
    }
    String host = URI.create(url).getHost();
    return ctx.vertx().executeBlocking(() -> {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        throw ApiException.unprocessable("url: the host '" + host + "' cannot be resolved");
      }
      for (InetAddress a : addresses) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
            || a.isMulticastAddress()) {
          throw ApiException.unprocessable("url: '" + host + "' is a non-public address (" + a.getHostAddress()
              + "); only the admin may register such URLs unless WEBHOOK_ALLOW_PRIVATE_URLS is set");
        }
      }
      return null;
    });
  }

  /** The platform's Webhook: webhook_id, name, url, project, event_types, is_active, times; and ours: secret. */
  static JsonObject view(Webhook w) {
    return new JsonObject().put("webhook_id", w.id()).put("name", w.name()).put("url", w.url())
        .put("project", w.project()).put("event_types", new JsonArray(w.eventTypes())).put("is_active", w.active())
        .put("secret", w.secret()).put("created_at", Times.iso(w.createdAt()))
        .put("updated_at", Times.iso(w.updatedAt()));
  }
}
