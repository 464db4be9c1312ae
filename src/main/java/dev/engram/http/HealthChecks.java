package dev.engram.http;

import dev.engram.embed.EmbedClient;
import dev.engram.llm.LlmProbe;
import dev.engram.store.MemoryClient;
import dev.engram.store.StoreProtocol.IndexSizes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The checks behind {@code /health} and {@code /health/ready}. The database and the indexes are needed to serve
 * anything: either down makes the server unhealthy (and not ready). The embedder and the LLM only degrade it: without
 * them most routes still answer (a message then fails with 503 saying why). The store answers the index sizes only
 * once the migrations have run and the indexes have caught up with the database, so an answer means both are done.
 */
final class HealthChecks {
  static final String UP = "up";
  static final String DOWN = "down";
  static final String DEGRADED = "degraded";

  /** One component: {@code up}, {@code down} or {@code degraded}, with what it found. */
  record Check(String status, JsonObject body) {
    boolean up() {
      return status.equals(UP);
    }
  }

  /** Every component's check; {@code healthy} when those the server needs are up. */
  record Report(Check database, Check index, Check embedder, Check llm) {
    boolean healthy() {
      return database.up() && index.up();
    }

    JsonObject components() {
      return new JsonObject().put("database", database.body()).put("index", index.body())
          .put("embedder", embedder.body()).put("llm", llm.body());
    }
  }

  private final MemoryClient store;
  private final EmbedClient embedder;
  private final LlmProbe llm;

  HealthChecks(MemoryClient store, EmbedClient embedder, LlmProbe llm) {
    this.store = store;
    this.embedder = embedder;
    this.llm = llm;
  }

  Future<Report> all() {
    Future<Check> database = database();
    Future<Check> index = index();
    Future<Check> embedding = embedder();
    Future<Check> model = llm();
    return Future.join(database, index, embedding, model)
        .transform(done -> Future.succeededFuture(new Report(database.result(), index.result(), embedding.result(),
            model.result())));
  }

  /** The database answers, and the store is migrated with its indexes caught up. */
  Future<Report> readiness() {
    Future<Check> database = database();
    Future<Check> index = index();
    Check skipped = new Check(UP, new JsonObject().put("status", "not checked"));
    return Future.join(database, index).transform(done -> Future.succeededFuture(
        new Report(database.result(), index.result(), skipped, skipped)));
  }

  private Future<Check> database() {
    return store.ping().transform(ar -> Future.succeededFuture(ar.succeeded() ? up()
        : down(DOWN, "the database does not answer: " + ar.cause().getMessage())));
  }

  private Future<Check> index() {
    return store.indexSizes().transform(ar -> Future.succeededFuture(ar.succeeded() ? index(ar.result())
        : down(DOWN, "the indexes are not ready: " + ar.cause().getMessage())));
  }

  private static Check index(IndexSizes sizes) {
    JsonObject entries = new JsonObject();
    sizes.entries().forEach(entries::put);
    return new Check(UP, new JsonObject().put("status", UP).put("entries", entries));
  }

  private Future<Check> embedder() {
    return embedder.model().transform(ar -> Future.succeededFuture(ar.succeeded()
        ? new Check(UP, new JsonObject().put("status", UP).put("model", ar.result().model())
            .put("dimension", ar.result().dimension()))
        : down(DEGRADED, "the embedder does not answer: " + ar.cause().getMessage())));
  }

  private Future<Check> llm() {
    return llm.check().map(r -> r.reachable() ? up() : down(DEGRADED, r.detail()));
  }

  private static Check up() {
    return new Check(UP, new JsonObject().put("status", UP));
  }

  private static Check down(String status, String detail) {
    return new Check(status, new JsonObject().put("status", status).put("detail", detail));
  }
}
