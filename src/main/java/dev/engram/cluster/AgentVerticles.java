package dev.engram.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.function.IntFunction;

/**
 * Adds agent verticles to this node while it runs (cluster mode, {@code POST /admin/agents/instances}). Each new one
 * attaches to the node's {@link Placement} as a new slot; the node's fair share of the shards grows at its next round,
 * and the shards move to it from the verticles of every node the way a joining node's do (given back once drained,
 * then taken with a new epoch), so no accepted send is lost, reordered or run twice.
 */
public final class AgentVerticles implements Shareable {
  private static final String SHARED = "engram.agent-verticles";

  private final IntFunction<Future<Integer>> deploy;

  private AgentVerticles(IntFunction<Future<Integer>> deploy) {
    this.deploy = deploy;
  }

  /** Shares {@code deploy} (deploys n more agent verticles, answers how many the node then runs). */
  public static void share(Vertx vertx, IntFunction<Future<Integer>> deploy) {
    vertx.sharedData().<String, AgentVerticles>getLocalMap(SHARED).put(SHARED, new AgentVerticles(deploy));
  }

  /** This node's, or null outside cluster mode. */
  public static AgentVerticles of(Vertx vertx) {
    return vertx.sharedData().<String, AgentVerticles>getLocalMap(SHARED).get(SHARED);
  }

  /** Deploys {@code count} more agent verticles; answers how many this node runs then. */
  public Future<Integer> add(int count) {
    return deploy.apply(count);
  }
}
