package dev.engram.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.engram.config.EngramConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.TimeUnit;

/**
 * Starts Vert.x as a member of a cluster (Hazelcast, TCP-IP join over the configured members, no multicast): the
 * event bus then reaches every node. Hazelcast carries only the bus and its membership; who owns which agents is
 * decided in PostgreSQL ({@link Placement}), which the nodes share anyway and which fences a node that lost its
 * lease (Hazelcast's own locks are not linearizable without its CP subsystem).
 */
public final class ClusterBoot {
  private ClusterBoot() {}

  /** Builds a clustered Vert.x (blocks until this node has joined, or fails). */
  public static Vertx start(VertxBuilder builder, VertxOptions options, EngramConfig.Cluster cluster)
      throws Exception {
    Config hz = ConfigUtil.loadConfig(); // keeps the map and multimap settings Vert.x needs
    hz.setClusterName(cluster.name());
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    // a member that stops answering is removed after this long (Hazelcast's default is 60 s)
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.getNetworkConfig().setPort(cluster.port()).setPortAutoIncrement(false)
        .getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    var tcp = join.getTcpIpConfig().setEnabled(true);
    tcp.addMember(cluster.host() + ":" + cluster.port());
    cluster.members().forEach(tcp::addMember);
    options.getEventBusOptions().setHost(cluster.host()).setPort(0);
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
        .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /** The node's name: the configured one, or its cluster address. */
  public static String nodeName(EngramConfig.Cluster cluster) {
    return cluster.nodeName() != null ? cluster.nodeName() : cluster.host() + ":" + cluster.port();
  }
}
