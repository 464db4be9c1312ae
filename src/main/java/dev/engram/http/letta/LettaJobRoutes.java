package dev.engram.http.letta;

import dev.engram.http.Authenticator;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.model.Job;
import dev.engram.store.ArchivalClient;
import io.vertx.core.json.JsonArray;

import io.vertx.ext.web.RoutingContext;

/**
 * The jobs of the MemGPT 0.4 client (ids {@code job-…}, letta-memgpt.md §6.2): every upload of the user is one,
 * whichever API took it, and is also the file {@code file-…} of the same id in its folder.
 */
public final class LettaJobRoutes {
  private final ArchivalClient store;

  public LettaJobRoutes(ArchivalClient store) {
    this.store = store;
  }

  public void mount(RouteTable router) {
    router.get("/v1/jobs").handler(ctx -> list(ctx, false));
    router.get("/v1/jobs/active").handler(ctx -> list(ctx, true));
    router.get("/v1/jobs/:job_id").handler(this::retrieve);
  }

  /** The user's jobs, oldest first (or only those not ended); pageable, all of them (up to 1000) by default. */
  private void list(RoutingContext ctx, boolean activeOnly) {
    Paging paging = Paging.parse(ctx, Paging.MAX_LIMIT, true);
    store.jobs(Authenticator.user(ctx), activeOnly)
        .map(jobs -> new JsonArray(paging.applyKnown(jobs, Job::id, "job").stream().map(LettaFolderViews::job).toList()))
        .onSuccess(page -> Responses.json(ctx, 200, page)).onFailure(ctx::fail);
  }

  private void retrieve(RoutingContext ctx) {
    store.job(Authenticator.user(ctx), ctx.pathParam("job_id"))
        .onSuccess(job -> Responses.json(ctx, 200, LettaFolderViews.job(job))).onFailure(ctx::fail);
  }
}
