package dev.engram.http.api;

import dev.engram.cluster.AgentVerticles;
import dev.engram.cluster.ClusterView;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.cluster.Placement;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.observe.EngramMetrics;
import dev.engram.store.StoreClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;

/**
 * /admin/users, /admin/users/keys, /admin/dashboard, /admin/cluster and /admin/agents/instances, behind the admin
 * password or an admin token.
 */
public final class AdminRoutes {
  private final StoreClient store;

  public AdminRoutes(StoreClient store) {
    this.store = store;
  }

  public void mount(RouteTable router) {
    router.post("/admin/users").handler(this::createUser);
    router.get("/admin/users").handler(this::listUsers);
    router.delete("/admin/users").handler(this::deleteUser);
    router.post("/admin/users/keys").handler(this::createKey);
    router.get("/admin/users/keys").handler(this::listKeys);
    router.delete("/admin/users/keys").handler(this::deleteKey);
    router.get("/admin/dashboard").handler(this::dashboard);
    router.get("/admin/cluster").handler(this::cluster);
    router.post("/admin/agents/instances").handler(this::addAgentVerticles);
  }

  /**
   * Deploys more agent verticles on this node (cluster mode): {@code {"count": n}}, 1 to 64. Outside cluster mode
   * the agents are hashed over a fixed number of verticles, so adding one would move agents while they run: 409.
   */
  private void addAgentVerticles(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    Integer count = Bodies.optionalInteger(body, "count", 1, 64);
    AgentVerticles verticles = AgentVerticles.of(ctx.vertx());
    if (verticles == null) {
      ctx.fail(ApiException.conflict("Agent verticles are added at run time in cluster mode (CLUSTER=true); a single"
          + " process hashes its agents over AGENT_INSTANCES verticles: restart it with more"));
      return;
    }
    verticles.add(count == null ? 1 : count).onSuccess(total -> Responses.json(ctx, 200,
            new JsonObject().put("added", count == null ? 1 : count).put("agent_verticles", total)))
        .onFailure(ctx::fail);
  }

  /** This node's view of the cluster: the live members, their agent verticles and the shards each holds. */
  private void cluster(RoutingContext ctx) {
    Responses.json(ctx, 200, ClusterView.of(Placement.of(ctx.vertx())));
  }

  /**
   * The web app's dashboard: the key figures of the moment and their recent history, in a few hundred bytes a point
   * (the Prometheus text of /metrics is far larger, and its rates and percentiles would have to be worked out in the
   * browser).
   */
  private void dashboard(RoutingContext ctx) {
    Responses.json(ctx, 200, EngramMetrics.of(ctx.vertx()).dashboard().view(System.currentTimeMillis()));
  }

  private void createUser(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, true);
    store.createUser(Bodies.optionalString(body, "user_id"), Bodies.optionalString(body, "api_key_name"))
        .onSuccess(u -> Responses.json(ctx, 200, new JsonObject().put("user_id", u.userId()).put("api_key", u.apiKey())))
        .onFailure(ctx::fail);
  }

  private void listUsers(RoutingContext ctx) {
    store.listUsers().onSuccess(ids -> {
      JsonArray list = new JsonArray();
      ids.forEach(id -> list.add(new JsonObject().put("user_id", id)));
      Responses.json(ctx, 200, new JsonObject().put("user_list", list));
    }).onFailure(ctx::fail);
  }

  private void deleteUser(RoutingContext ctx) {
    String userId = Bodies.requiredParam(ctx, "user_id");
    store.deleteUser(userId).onSuccess(d -> Responses.json(ctx, 200,
            new JsonObject().put("message", "User successfully deleted.").put("user_id_deleted", userId)))
        .onFailure(ctx::fail);
  }

  private void createKey(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    store.createKey(Bodies.requiredString(body, "user_id"), Bodies.optionalString(body, "name"))
        .onSuccess(key -> Responses.json(ctx, 200, new JsonObject().put("api_key", key)))
        .onFailure(ctx::fail);
  }

  /** Keys are stored only as hashes, so the list shows each key's hint (prefix and last four characters). */
  private void listKeys(RoutingContext ctx) {
    store.listKeys(Bodies.requiredParam(ctx, "user_id"))
        .onSuccess(hints -> Responses.json(ctx, 200, new JsonObject().put("api_key_list", new JsonArray(hints))))
        .onFailure(ctx::fail);
  }

  private void deleteKey(RoutingContext ctx) {
    String key = Bodies.requiredParam(ctx, "api_key");
    store.deleteKey(key).onSuccess(d -> Responses.json(ctx, 200,
            new JsonObject().put("message", "API key successfully deleted.").put("api_key_deleted", key)))
        .onFailure(ctx::fail);
  }
}
