package dev.engram.http;

import dev.engram.cluster.ClusterView;
import dev.engram.cluster.Placement;
import dev.engram.kernel.Times;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;

/**
 * Public health routes. {@code /health} keeps the shape the semantic-memory API's clients read ({@code status}
 * healthy/unhealthy, {@code timestamp}, {@code database} connected/disconnected, {@code detail} when down) and adds
 * {@code components}: 503 when the database or the indexes are down, 200 otherwise (an unreachable LLM or embedder is
 * {@code degraded}). For orchestrators: {@code /health/live} answers while the process serves HTTP, and
 * {@code /health/ready} answers 200 once the database answers, the migrations have run and the indexes are ready, 503
 * otherwise.
 */
final class HealthRoutes {
  private final HealthChecks checks;

  HealthRoutes(HealthChecks checks) {
    this.checks = checks;
  }

  void mount(RouteTable router) {
    router.get("/health").handler(this::health);
    router.get("/health/live").handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "alive")));
    router.get("/health/ready").handler(this::ready);
  }

  private void health(RoutingContext ctx) {
    checks.all().onSuccess(report -> {
      boolean db = report.database().up();
      Placement placement = Placement.of(ctx.vertx());
      // a cluster node that could not renew its leases for a lease's length serves no agents: it says so
      boolean leased = placement == null || placement.healthy();
      boolean healthy = report.healthy() && leased;
      JsonObject body = new JsonObject().put("status", healthy ? "healthy" : "unhealthy")
          .put("timestamp", Times.iso(Times.now())).put("database", db ? "connected" : "disconnected");
      if (!report.healthy()) {
        body.put("detail", (db ? report.index() : report.database()).body().getString("detail"));
      } else if (!leased) {
        body.put("detail", "This cluster node could not renew its agents' leases: it serves no agents until it can");
      }
      if (placement != null) {
        body.put("cluster", ClusterView.summary(placement));
      }
      Responses.json(ctx, healthy ? 200 : 503, body.put("components", report.components()));
    }).onFailure(ctx::fail);
  }

  private void ready(RoutingContext ctx) {
    checks.readiness().onSuccess(report -> {
      boolean ready = report.healthy();
      boolean indexes = report.index().up();
      JsonObject body = new JsonObject().put("status", ready ? "ready" : "not_ready")
          .put("checks", new JsonObject().put("database", report.database().status())
              .put("migrations", indexes ? "done" : "unknown").put("index", indexes ? "ready" : "not_ready"));
      if (!ready) {
        body.put("detail", (report.database().up() ? report.index() : report.database()).body().getString("detail"));
      }
      Responses.json(ctx, ready ? 200 : 503, body);
    }).onFailure(ctx::fail);
  }
}
