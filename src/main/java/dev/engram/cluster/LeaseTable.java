package dev.engram.cluster;

import dev.engram.cluster.Placement.Lease;
import dev.engram.cluster.Placement.Member;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows {@link Placement} works on ({@code cluster_nodes}, {@code agent_shard_leases}, V017) for one node, over a
 * pool of its own: renewing the leases must not wait behind the store's queue.
 */
final class LeaseTable {
  static final String HEARTBEAT = """
      insert into cluster_nodes(id, name, verticles) values ($1, $2, $3)
      on conflict (id) do update set verticles = excluded.verticles, seen_at = now()""";
  static final String SEED = """
      insert into agent_shard_leases(shard) select generate_series(0, $1 - 1) on conflict do nothing""";
  static final String RENEW = """
      update agent_shard_leases set expires_at = now() + $2 * interval '1 millisecond'
      where node = $1 and expires_at > now() returning shard, slot, epoch""";
  static final String TABLE = """
      select shard, node, slot, epoch, expires_at > now() as live from agent_shard_leases order by shard""";
  static final String LIVE_NODES = """
      select id, name, verticles from cluster_nodes where seen_at > now() - $1 * interval '1 millisecond'
      order by id""";
  /**
   * Takes a lease that is free, expired, or held by a node that is no longer alive; answers its new epoch. The row is
   * locked {@code for update} first, which waits for every save in progress under the old epoch (they hold it
   * {@code for key share}, AgentRepository.SAVE_AGENT); the renewals (a plain update) do not conflict with the saves.
   */
  static final String ACQUIRE = """
      with free as (
        select shard from agent_shard_leases where shard = $1 and (node is null or expires_at <= now()) for update)
      update agent_shard_leases l set node = $2, slot = $3, epoch = epoch + 1,
        expires_at = now() + $4 * interval '1 millisecond'
      from free where l.shard = free.shard and (l.node is null or l.expires_at <= now()) returning l.epoch""";
  static final String RELEASE = """
      update agent_shard_leases set node = null, slot = null, expires_at = '-infinity'
      where shard = $1 and node = $2 and epoch = $3""";
  static final String PRUNE = """
      delete from index_changes where at < now() - interval '1 hour';
      delete from cluster_nodes where seen_at < now() - interval '1 hour'""";

  private final Pool pool;
  private final String nodeId;
  private final long leaseMs;

  LeaseTable(Vertx vertx, PgConnectOptions db, String nodeId, long leaseMs) {
    this.nodeId = nodeId;
    this.leaseMs = leaseMs;
    // the connections carry the node's id, so that pg_stat_activity shows which node holds which
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
        .connectingTo(new PgConnectOptions(db).addProperty("application_name", "engram " + nodeId))
        .using(vertx).build();
  }

  /** Makes sure every shard has its row. */
  Future<Void> seed(int shards) {
    return pool.preparedQuery(SEED).execute(Tuple.of(shards)).mapEmpty();
  }

  /** Writes that this node is alive, with how many agent verticles it runs. */
  Future<Void> heartbeat(String nodeName, int verticles) {
    return pool.preparedQuery(HEARTBEAT).execute(Tuple.of(nodeId, nodeName, verticles)).mapEmpty();
  }

  /** Extends this node's unexpired leases; answers them by shard. */
  Future<Map<Integer, Lease>> renew() {
    return pool.preparedQuery(RENEW).execute(Tuple.of(nodeId, leaseMs)).map(rows -> {
      Map<Integer, Lease> renewed = new HashMap<>();
      for (Row r : rows) {
        renewed.put(r.getInteger(0), new Lease(r.getInteger(0), nodeId, r.getInteger(1), r.getLong(2), true));
      }
      return renewed;
    });
  }

  /** Every lease, by shard. */
  Future<Map<Integer, Lease>> leases() {
    return pool.preparedQuery(TABLE).execute().map(rows -> {
      Map<Integer, Lease> leases = new HashMap<>();
      for (Row r : rows) {
        leases.put(r.getInteger("shard"), new Lease(r.getInteger("shard"), r.getString("node"),
            r.getInteger("slot") == null ? -1 : r.getInteger("slot"), r.getLong("epoch"), r.getBoolean("live")));
      }
      return leases;
    });
  }

  /** The nodes seen within a lease's length, by id. */
  Future<List<Member>> liveMembers() {
    return pool.preparedQuery(LIVE_NODES).execute(Tuple.of(leaseMs)).map(rows -> {
      List<Member> live = new ArrayList<>();
      for (Row r : rows) {
        live.add(new Member(r.getString(0), r.getString(1), r.getInteger(2)));
      }
      return live;
    });
  }

  /** Takes {@code shard} for this node's verticle {@code slot}; answers its new epoch, or null when it is held. */
  Future<Long> acquire(int shard, int slot) {
    return pool.preparedQuery(ACQUIRE).execute(Tuple.of(shard, nodeId, slot, leaseMs))
        .map(rows -> rows.size() == 1 ? rows.iterator().next().getLong(0) : null);
  }

  /** Frees this node's lease of {@code shard} if it still has {@code epoch}. */
  Future<Void> release(int shard, long epoch) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(shard, nodeId, epoch)).mapEmpty();
  }

  /** Forgets change-log entries and nodes older than an hour. */
  Future<Void> prune() {
    return pool.query(PRUNE).execute().mapEmpty();
  }

  Future<Void> close() {
    return pool.close();
  }
}
