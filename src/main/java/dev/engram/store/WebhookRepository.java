package dev.engram.store;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Webhook;
import dev.engram.store.StoreProtocol.Done;
import dev.engram.store.WebhookProtocol.*;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/** The webhooks users register for the outcome of their asynchronous adds. */
final class WebhookRepository {
  private static final String COLUMNS = "id, user_id, project, name, url, secret, event_types, is_active, created_at,"
      + " updated_at";
  private static final String CREATE = "insert into memory_webhooks(id, user_id, project, name, url, secret,"
      + " event_types) values ($1, $2, $3, $4, $5, $6, $7) returning " + COLUMNS;
  private static final String LIST = "select " + COLUMNS + " from memory_webhooks where user_id = $1"
      + " and ($2::text is null or project = $2) order by created_at, id";
  private static final String UPDATE = "update memory_webhooks set name = coalesce($3, name), url = coalesce($4, url),"
      + " event_types = coalesce($5, event_types), updated_at = now() where id = $1 and user_id = $2 returning "
      + COLUMNS;
  private static final String DELETE = "delete from memory_webhooks where id = $1 and user_id = $2";

  private final Pool pool;

  WebhookRepository(Pool pool) {
    this.pool = pool;
  }

  Future<WebhookReply> create(CreateWebhook req) {
    return pool.preparedQuery(CREATE).execute(Tuple.of(UUID.randomUUID(), UUID.fromString(req.userId()),
            req.project(), req.name(), req.url(), req.secret()).addValue(new JsonArray(req.eventTypes())))
        .map(rows -> new WebhookReply(webhook(rows.iterator().next())));
  }

  Future<Webhooks> list(ListWebhooks req) {
    return pool.preparedQuery(LIST).execute(Tuple.of(UUID.fromString(req.userId()), req.project()))
        .map(rows -> new Webhooks(UserRepository.collect(rows, WebhookRepository::webhook)));
  }

  Future<WebhookReply> update(EditWebhook req) {
    UUID id = Ids.parse(req.webhookId());
    if (id == null) {
      return Future.failedFuture(notFound(req.webhookId()));
    }
    return pool.preparedQuery(UPDATE).execute(Tuple.of(id, UUID.fromString(req.userId()), req.name(), req.url())
            .addValue(req.eventTypes() == null ? null : new JsonArray(req.eventTypes())))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound(req.webhookId()))
            : Future.succeededFuture(new WebhookReply(webhook(rows.iterator().next()))));
  }

  Future<Done> delete(DeleteWebhook req) {
    UUID id = Ids.parse(req.webhookId());
    if (id == null) {
      return Future.failedFuture(notFound(req.webhookId()));
    }
    return pool.preparedQuery(DELETE).execute(Tuple.of(id, UUID.fromString(req.userId())))
        .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(notFound(req.webhookId()))
            : Future.succeededFuture(new Done()));
  }

  private static Webhook webhook(Row r) {
    JsonArray types = (JsonArray) r.getValue("event_types");
    return new Webhook(r.getUUID("id").toString(), r.getUUID("user_id").toString(), r.getString("project"),
        r.getString("name"), r.getString("url"), r.getString("secret"),
        types.stream().map(String::valueOf).toList(), r.getBoolean("is_active"),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("updated_at")));
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("Webhook with id " + id + " not found");
  }
}
