package dev.engram.cluster;

import dev.engram.config.EngramConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;

/** Runs this node's {@link Placement} (cluster mode): its rounds run on this verticle's context. */
public final class ClusterVerticle extends VerticleBase {
  private final PgConnectOptions db;
  private final EngramConfig.Cluster cluster;
  private Placement placement;

  public ClusterVerticle(PgConnectOptions db, EngramConfig.Cluster cluster) {
    this.db = db;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    return Placement.start(vertx, db, ClusterBoot.nodeName(cluster), cluster.shards(), cluster.leaseMs())
        .onSuccess(p -> placement = p);
  }

  @Override
  public Future<?> stop() {
    return placement == null ? Future.succeededFuture() : placement.stop();
  }
}
