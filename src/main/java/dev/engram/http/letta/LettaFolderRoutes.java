package dev.engram.http.letta;

import static dev.engram.http.letta.LettaArchivalRoutes.booleanParam;
import static dev.engram.http.letta.LettaArchivalRoutes.param;

import dev.engram.agent.AgentClient;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.http.SourceUploads;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Ids;
import dev.engram.model.Job;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.AgentRef;
import dev.engram.store.ArchivalProtocol.DuplicateFiles;
import dev.engram.store.ArchivalProtocol.SourceView;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Letta's folders (the sources of /api, ids {@code source-…}) and their files (letta-v1.md §9): CRUD, upload
 * (multipart; the answer is the file, whose {@code processing_status} the client polls), files listed, read and
 * deleted, and attachment to agents. A file is its upload job (one upload = one job = one document), so /api sees
 * the same rows as sources, jobs and documents.
 */
public final class LettaFolderRoutes {
  private final ArchivalClient store;
  private final SourceUploads uploads;
  private final LettaFolderViews views;
  private final LettaFolderRequests requests;
  private final AgentClient agents;
  private final LettaAgentStates states;

  public LettaFolderRoutes(ArchivalClient store, SourceUploads uploads, LettaFolderViews views,
      LettaFolderRequests requests, AgentClient agents, LettaAgentStates states) {
    this.store = store;
    this.uploads = uploads;
    this.views = views;
    this.requests = requests;
    this.agents = agents;
    this.states = states;
  }

  public void mount(RouteTable router) {
    router.post("/v1/folders").handler(this::create);
    router.get("/v1/folders").handler(this::list);
    router.get("/v1/folders/count").handler(this::count);
    router.get("/v1/folders/name/:folder_name").handler(ctx -> idOfName(ctx, store, ctx.pathParam("folder_name")));
    router.get("/v1/folders/:folder_id").handler(this::retrieve);
    router.patch("/v1/folders/:folder_id").handler(this::update);
    router.delete("/v1/folders/:folder_id").handler(this::delete);
    router.post("/v1/folders/:folder_id/upload").handler(this::upload);
    router.get("/v1/folders/:folder_id/files").handler(this::files);
    router.get("/v1/folders/:folder_id/files/:file_id").handler(this::file);
    // Letta deletes a file without a /files/ segment, and answers 204
    router.delete("/v1/folders/:folder_id/:file_id").handler(this::deleteFile);
    router.get("/v1/folders/:folder_id/agents").handler(this::agents);
    router.get("/v1/agents/:agent_id/folders").handler(this::ofAgent);
    router.patch("/v1/agents/:agent_id/folders/attach/:folder_id").handler(ctx -> attach(ctx, true));
    router.patch("/v1/agents/:agent_id/folders/detach/:folder_id").handler(ctx -> attach(ctx, false));
  }

  private void create(RoutingContext ctx) {
    var request = requests.create(Authenticator.user(ctx), Bodies.object(ctx, false));
    store.createSource(request).onSuccess(view -> Responses.json(ctx, 200, views.folder(view.source())))
        .onFailure(ctx::fail);
  }

  /** Every folder of the user, oldest first by default (limit 50), or those of one name. */
  private void list(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, 50, true);
    String name = param(ctx, "name");
    store.sources(Authenticator.user(ctx))
        .map(all -> folders(paging.applyKnown(all.stream()
            .filter(v -> name == null || v.source().name().equals(name)).toList(), v -> v.source().id(), "folder")))
        .onSuccess(page -> Responses.json(ctx, 200, page)).onFailure(ctx::fail);
  }

  private void count(RoutingContext ctx) {
    store.sources(Authenticator.user(ctx))
        .onSuccess(all -> ctx.response().putHeader("content-type", "application/json").end(String.valueOf(all.size())))
        .onFailure(ctx::fail);
  }

  /** The id of the user's folder of this name, as a JSON string (Letta's deprecated lookup, the 0.4 client's). */
  static void idOfName(RoutingContext ctx, ArchivalClient store, String name) {
    store.sources(Authenticator.user(ctx)).onSuccess(all -> {
      var found = all.stream().filter(v -> v.source().name().equals(name)).findFirst();
      if (found.isEmpty()) {
        ctx.fail(ApiException.notFound("Folder with name=" + name + " not found"));
        return;
      }
      ctx.response().putHeader("content-type", "application/json")
          .end(Json.encode(PrefixedIds.prefixed(PrefixedIds.SOURCE, found.get().source().id())));
    }).onFailure(ctx::fail);
  }

  private void retrieve(RoutingContext ctx) {
    store.source(Authenticator.user(ctx), ctx.pathParam("folder_id"))
        .onSuccess(view -> Responses.json(ctx, 200, views.folder(view.source()))).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    var request = requests.update(Authenticator.user(ctx), ctx.pathParam("folder_id"), Bodies.object(ctx, false));
    store.updateSource(request).onSuccess(view -> Responses.json(ctx, 200, views.folder(view.source())))
        .onFailure(ctx::fail);
  }

  /** Deletes the folder with its files and their passages (detached from every agent). */
  private void delete(RoutingContext ctx) {
    store.deleteSource(Authenticator.user(ctx), ctx.pathParam("folder_id"))
        .onSuccess(d -> nullBody(ctx)).onFailure(ctx::fail);
  }

  private void upload(RoutingContext ctx) {
    String handling = param(ctx, "duplicate_handling");
    DuplicateFiles duplicates = handling == null ? DuplicateFiles.SUFFIX : DuplicateFiles.parse(handling);
    if (duplicates == null) {
      throw Bodies.invalid("query parameter duplicate_handling must be one of skip, error, suffix, replace; got '"
          + handling + "'");
    }
    String name = Bodies.bounded(param(ctx, "name"), "query parameter name", 255);
    uploads.upload(ctx, ctx.pathParam("folder_id"), new SourceUploads.Options(name, duplicates, true))
        .onSuccess(created -> {
          if (created.skipped()) {
            ctx.response().putHeader("X-Upload-Result", "skipped");
          }
          Responses.json(ctx, 200, LettaFolderViews.file(created.job(), false, null));
        })
        .onFailure(e -> {
          if (ApiException.from(e).kind() == ErrorKind.CONFLICT) {
            ctx.response().putHeader("x-should-retry", "false"); // the same upload would meet the same name
          }
          ctx.fail(e);
        });
  }

  /** The folder's files, newest first by default (limit 1000); their text too with {@code include_content}. */
  private void files(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, 1000, false);
    boolean content = booleanParam(ctx, "include_content", false);
    String userId = Authenticator.user(ctx);
    String folderId = ctx.pathParam("folder_id");
    store.files(userId, folderId)
        .compose(all -> {
          List<Job> page = paging.applyKnown(all, Job::id, "file");
          if (!content) {
            return Future.succeededFuture(page.stream().map(j -> LettaFolderViews.file(j, false, null)).toList());
          }
          return Future.all(page.stream().map(j -> store.file(userId, folderId, j.id(), true)
                  .map(f -> LettaFolderViews.file(f.job(), true, f.content()))).toList())
              .map(all2 -> all2.<JsonObject>list());
        })
        .onSuccess(files -> Responses.json(ctx, 200, new JsonArray(files)))
        .onFailure(ctx::fail);
  }

  private void file(RoutingContext ctx) {
    boolean content = booleanParam(ctx, "include_content", false);
    store.file(Authenticator.user(ctx), ctx.pathParam("folder_id"), ctx.pathParam("file_id"), content)
        .onSuccess(f -> Responses.json(ctx, 200, LettaFolderViews.file(f.job(), content, f.content())))
        .onFailure(ctx::fail);
  }

  private void deleteFile(RoutingContext ctx) {
    store.deleteFile(Authenticator.user(ctx), ctx.pathParam("folder_id"), ctx.pathParam("file_id"))
        .onSuccess(d -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  /** The ids of the agents the folder is attached to (a plain array of strings). */
  private void agents(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, Paging.MAX_LIMIT, true);
    store.source(Authenticator.user(ctx), ctx.pathParam("folder_id"))
        .map(view -> new JsonArray(paging.applyKnown(view.attachedAgents(), AgentRef::id, "agent").stream()
            .map(a -> PrefixedIds.prefixed(PrefixedIds.AGENT, a.id())).toList()))
        .onSuccess(ids -> Responses.json(ctx, 200, ids)).onFailure(ctx::fail);
  }

  private void ofAgent(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, 50, true);
    store.agentSources(Authenticator.user(ctx), ctx.pathParam("agent_id"))
        .map(all -> folders(paging.applyKnown(all, v -> v.source().id(), "folder")))
        .onSuccess(page -> Responses.json(ctx, 200, page)).onFailure(ctx::fail);
  }

  /**
   * Attaches or detaches a folder: its passages join (or leave) the agent's archival memory at once. Answers the
   * agent's AgentState as it is then, its {@code sources} included, as Letta does.
   */
  private void attach(RoutingContext ctx, boolean attach) {
    String agentId = ctx.pathParam("agent_id");
    if (Ids.parse(agentId) == null) {
      throw ApiException.notFound("Agent agent_id=" + agentId + " not found");
    }
    String userId = Authenticator.user(ctx);
    store.attach(userId, ctx.pathParam("folder_id"), agentId, attach)
        .compose(folder -> agents.get(userId, agentId))
        .compose(view -> states.of(userId, view.agent()))
        .onSuccess(state -> Responses.json(ctx, 200, state)).onFailure(ctx::fail);
  }

  private JsonArray folders(List<SourceView> list) {
    return new JsonArray(list.stream().map(v -> views.folder(v.source())).toList());
  }

  /** A 200 whose JSON body is {@code null}, as Letta answers where there is nothing to say. */
  static void nullBody(RoutingContext ctx) {
    ctx.response().setStatusCode(200).putHeader("content-type", "application/json").end("null");
  }
}
