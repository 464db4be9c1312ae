package dev.engram.http.letta;

import static dev.engram.http.letta.LettaFolderRoutes.nullBody;

import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.http.SourceUploads;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.DuplicateFiles;
import dev.engram.store.ArchivalProtocol.SourceView;
import io.vertx.core.json.JsonArray;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The MemGPT 0.4 client's sources on /v1 (letta-memgpt.md §7), deprecated names of Letta's folders on the same rows:
 * CRUD, the id of a name, an upload answered with its Job (polled at /v1/jobs/{id}), attach and detach with
 * {@code ?agent_id=}, a source's passages and documents, and the sources of an agent.
 */
public final class LettaSourceRoutes {
  private static final SourceUploads.Options UPLOAD = new SourceUploads.Options(null, DuplicateFiles.SUFFIX, false);

  private final ArchivalClient store;
  private final SourceUploads uploads;
  private final LettaFolderViews views;
  private final LettaFolderRequests requests;

  public LettaSourceRoutes(ArchivalClient store, SourceUploads uploads, LettaFolderViews views,
      LettaFolderRequests requests) {
    this.store = store;
    this.uploads = uploads;
    this.views = views;
    this.requests = requests;
  }

  public void mount(RouteTable router) {
    router.post("/v1/sources").handler(this::create);
    router.get("/v1/sources").handler(this::list);
    router.get("/v1/sources/name/:source_name")
        .handler(ctx -> LettaFolderRoutes.idOfName(ctx, store, ctx.pathParam("source_name")));
    router.get("/v1/sources/:source_id").handler(this::retrieve);
    router.patch("/v1/sources/:source_id").handler(this::update);
    router.delete("/v1/sources/:source_id").handler(this::delete);
    router.post("/v1/sources/:source_id/upload").handler(this::upload);
    router.post("/v1/sources/:source_id/attach").handler(ctx -> attach(ctx, true));
    router.post("/v1/sources/:source_id/detach").handler(ctx -> attach(ctx, false));
    router.get("/v1/sources/:source_id/passages").handler(this::passages);
    router.get("/v1/sources/:source_id/documents").handler(this::documents);
    router.get("/v1/agents/:agent_id/sources").handler(this::ofAgent);
  }

  private void create(RoutingContext ctx) {
    var request = requests.create(Authenticator.user(ctx), Bodies.object(ctx, false));
    store.createSource(request).onSuccess(view -> Responses.json(ctx, 200, views.folder(view.source())))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, Paging.MAX_LIMIT, true);
    store.sources(Authenticator.user(ctx))
        .map(all -> sources(paging.applyKnown(all, v -> v.source().id(), "source")))
        .onSuccess(page -> Responses.json(ctx, 200, page)).onFailure(ctx::fail);
  }

  private void retrieve(RoutingContext ctx) {
    store.source(Authenticator.user(ctx), ctx.pathParam("source_id"))
        .onSuccess(view -> Responses.json(ctx, 200, views.folder(view.source()))).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    var request = requests.update(Authenticator.user(ctx), ctx.pathParam("source_id"), Bodies.object(ctx, false));
    store.updateSource(request).onSuccess(view -> Responses.json(ctx, 200, views.folder(view.source())))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    store.deleteSource(Authenticator.user(ctx), ctx.pathParam("source_id"))
        .onSuccess(d -> nullBody(ctx)).onFailure(ctx::fail);
  }

  /** As /api: any file becomes a job, and one that cannot be loaded fails with the reason. */
  private void upload(RoutingContext ctx) {
    uploads.upload(ctx, ctx.pathParam("source_id"), UPLOAD)
        .onSuccess(created -> Responses.json(ctx, 200, LettaFolderViews.job(created.job())))
        .onFailure(ctx::fail);
  }

  private void attach(RoutingContext ctx, boolean attach) {
    String agentId = Bodies.requiredParam(ctx, "agent_id");
    store.attach(Authenticator.user(ctx), ctx.pathParam("source_id"), agentId, attach)
        .onSuccess(view -> Responses.json(ctx, 200, views.folder(view.source()))).onFailure(ctx::fail);
  }

  private void passages(RoutingContext ctx) {
    int limit = Bodies.intParam(ctx, "limit", 1000, 1, 100_000);
    store.sourcePassages(Authenticator.user(ctx), ctx.pathParam("source_id"),
            LettaArchivalRoutes.param(ctx, "after"), limit)
        .onSuccess(page -> Responses.json(ctx, 200, new JsonArray(page.passages().stream()
            .map(views::passage).toList())))
        .onFailure(ctx::fail);
  }

  private void documents(RoutingContext ctx) {
    store.documents(Authenticator.user(ctx), ctx.pathParam("source_id"))
        .onSuccess(docs -> Responses.json(ctx, 200, new JsonArray(docs.documents().stream()
            .map(LettaFolderViews::document).toList())))
        .onFailure(ctx::fail);
  }

  private void ofAgent(RoutingContext ctx) {
    store.agentSources(Authenticator.user(ctx), ctx.pathParam("agent_id"))
        .onSuccess(all -> Responses.json(ctx, 200, sources(all))).onFailure(ctx::fail);
  }

  private JsonArray sources(List<SourceView> list) {
    return new JsonArray(list.stream().map(v -> views.folder(v.source())).toList());
  }
}
