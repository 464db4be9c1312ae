package dev.engram.store;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Times;
import dev.engram.store.MemoryProtocol.ExportReply;
import dev.engram.store.MemoryProtocol.FindExport;
import dev.engram.store.MemoryProtocol.SaveExport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** Saved Mem0 platform exports: each a JSON document of the memories its filters matched when it was made. */
final class MemoryExports {
  private static final String INSERT = """
      insert into memory_exports(id, user_id, filters, schema, document, created_at) values ($1, $2, $3, $4, $5, $6)""";
  private static final String BY_ID = "select document from memory_exports where id = $1 and user_id = $2";
  /** The latest export made with exactly these filters. */
  private static final String LATEST = """
      select document from memory_exports where user_id = $1 and filters = $2 order by created_at desc limit 1""";

  private final Pool pool;

  MemoryExports(Pool pool) {
    this.pool = pool;
  }

  Future<ExportReply> save(SaveExport req) {
    JsonObject document = new JsonObject(req.document());
    return pool.preparedQuery(INSERT).execute(Tuple.of(UUID.fromString(req.id()), UUID.fromString(req.userId()),
            new JsonObject(req.filters()), new JsonObject(req.schema()), document, Rows.offset(Times.now())))
        .map(v -> new ExportReply(req.document()));
  }

  Future<ExportReply> find(FindExport req) {
    UUID tenant = UUID.fromString(req.userId());
    Future<RowSet<Row>> rows;
    if (req.exportId() != null) {
      UUID id = Ids.parse(req.exportId());
      if (id == null) {
        return Future.failedFuture(notFound());
      }
      rows = pool.preparedQuery(BY_ID).execute(Tuple.of(id, tenant));
    } else {
      rows = pool.preparedQuery(LATEST).execute(Tuple.of(tenant, new JsonObject(req.filters())));
    }
    return rows.compose(found -> found.size() == 0 ? Future.failedFuture(notFound())
        : Future.succeededFuture(new ExportReply(found.iterator().next().getJsonObject("document").getMap())));
  }

  private static ApiException notFound() {
    return ApiException.notFound("No memory export request found");
  }
}
