package dev.engram.http.api;

import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.HttpSettings;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.http.SourceUploads;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.DuplicateFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;

/**
 * Sources of documents (/api/sources): create, list, update, delete, upload a file as a job, job status, attach and
 * detach to agents, and the source's passages and documents.
 */
public final class SourceRoutes {
  static final String UPLOAD_PATH = "/api/sources/:source_id/upload";
  private static final SourceUploads.Options UPLOAD_OPTIONS =
      new SourceUploads.Options(null, DuplicateFiles.SUFFIX, false);

  private final ArchivalClient store;
  private final ArchivalViews views;
  private final HttpSettings settings;
  private final SourceUploads uploads;

  public SourceRoutes(ArchivalClient store, ArchivalViews views, HttpSettings settings) {
    this.store = store;
    this.views = views;
    this.settings = settings;
    this.uploads = new SourceUploads(store, settings);
  }

  public void mount(RouteTable router) {
    router.get("/api/sources").handler(this::list);
    router.post("/api/sources").handler(this::create);
    router.get("/api/sources/status/:job_id").handler(this::status);
    router.get("/api/sources/:source_id").handler(this::get);
    router.post("/api/sources/:source_id").handler(this::update);
    router.delete("/api/sources/:source_id").handler(this::delete);
    router.post(UPLOAD_PATH).handler(this::upload);
    router.post("/api/sources/:source_id/attach").handler(ctx -> attach(ctx, true));
    router.post("/api/sources/:source_id/detach").handler(ctx -> attach(ctx, false));
    router.get("/api/sources/:source_id/passages").handler(this::passages);
    router.get("/api/sources/:source_id/documents").handler(this::documents);
  }

  private void list(RoutingContext ctx) {
    store.sources(Authenticator.user(ctx)).onSuccess(list -> Responses.json(ctx, 200, new JsonObject()
            .put("sources", new JsonArray(list.stream().map(views::source).toList()))))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String name = name(Bodies.requiredString(body, "name"));
    var embedding = settings.embedding();
    store.createSource(Authenticator.user(ctx), name, Bodies.optionalString(body, "description"),
            embedding.model(), embedding.dimension())
        .onSuccess(view -> Responses.json(ctx, 200, views.source(view))).onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    store.source(Authenticator.user(ctx), ctx.pathParam("source_id"))
        .onSuccess(view -> Responses.json(ctx, 200, views.source(view))).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String name = Bodies.optionalString(body, "name");
    store.updateSource(Authenticator.user(ctx), ctx.pathParam("source_id"), name == null ? null : name(name),
            Bodies.optionalString(body, "description"))
        .onSuccess(view -> Responses.json(ctx, 200, views.source(view))).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String id = ctx.pathParam("source_id");
    store.deleteSource(Authenticator.user(ctx), id).onSuccess(d -> Responses.json(ctx, 200,
        new JsonObject().put("message", "Source source_id=" + id + " successfully deleted"))).onFailure(ctx::fail);
  }

  /** Any file becomes a job (one that cannot be loaded fails with the reason); a repeated name is kept apart. */
  private void upload(RoutingContext ctx) {
    uploads.upload(ctx, ctx.pathParam("source_id"), UPLOAD_OPTIONS)
        .onSuccess(created -> Responses.json(ctx, 200, ArchivalViews.job(created.job())))
        .onFailure(ctx::fail);
  }

  private void status(RoutingContext ctx) {
    store.job(Authenticator.user(ctx), ctx.pathParam("job_id"))
        .onSuccess(job -> Responses.json(ctx, 200, ArchivalViews.job(job))).onFailure(ctx::fail);
  }

  private void attach(RoutingContext ctx, boolean attach) {
    String agentId = Bodies.requiredParam(ctx, "agent_id");
    store.attach(Authenticator.user(ctx), ctx.pathParam("source_id"), agentId, attach)
        .onSuccess(view -> Responses.json(ctx, 200, views.source(view))).onFailure(ctx::fail);
  }

  private void passages(RoutingContext ctx) {
    int limit = Bodies.intParam(ctx, "limit", 1000, 1, 100_000);
    store.sourcePassages(Authenticator.user(ctx), ctx.pathParam("source_id"), ctx.queryParams().get("after"), limit)
        .onSuccess(page -> Responses.json(ctx, 200, new JsonObject().put("passages",
            new JsonArray(page.passages().stream().map(ArchivalViews::passage).toList()))))
        .onFailure(ctx::fail);
  }

  private void documents(RoutingContext ctx) {
    store.documents(Authenticator.user(ctx), ctx.pathParam("source_id"))
        .onSuccess(docs -> Responses.json(ctx, 200, new JsonObject().put("documents",
            new JsonArray(docs.documents().stream().map(ArchivalViews::document).toList()))))
        .onFailure(ctx::fail);
  }

  private static String name(String name) {
    if (name.isBlank() || name.length() > 100) {
      throw Bodies.invalid("name must be 1 to 100 characters");
    }
    return name.strip();
  }
}
