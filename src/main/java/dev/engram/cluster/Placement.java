package dev.engram.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import io.vertx.pgclient.PgConnectOptions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which agent verticle of which node runs which agents (cluster mode). Agents hash into {@code shards} shards; each
 * shard has a lease row in PostgreSQL naming its node and agent verticle (slot) and an epoch. Every tick (a third of a
 * lease) the node writes its heartbeat, renews its leases, reads the table, and moves towards its fair share: the
 * shards spread evenly over the agent verticles of the live nodes. It takes free or expired leases (raising their
 * epoch) and gives back its surplus one shard at a time, each only once its verticle has drained it (nothing queued or
 * running). A node that stops renewing (killed, partitioned, its database lost) loses its leases after
 * {@code leaseMs}; its writes carry their {@link Fence} and no longer commit; another node takes the shards over and
 * runs the accepted sends from their stored input.
 *
 * <p>State read by other verticles (routes, held leases) is kept in concurrent maps; the ticks run on the context that
 * started this placement.
 */
public final class Placement implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(Placement.class);
  private static final String SHARED = "engram.placement";

  /** The lease of one shard as this node last read it. */
  public record Lease(int shard, String node, int slot, long epoch, boolean live) {}

  /** A node's view of one live member: its id, name and agent verticles. */
  public record Member(String id, String name, int verticles) {}

  /** What an agent verticle is told about its shards: called on the verticle's own context. */
  public interface Slot {
    /**
     * The slot now owns {@code shard} under {@code epoch}: recover its runs. Until the answer completes the shard's
     * requests are refused (their senders retry), so that the runs recovered keep their place before new ones.
     */
    Future<?> gained(int shard, long epoch);

    /** The slot lost {@code shard} (released or taken over): forget its agents. */
    void lost(int shard);

    /** Whether the slot has nothing queued or running for the agents of {@code shard}. */
    boolean drained(int shard);
  }

  private record Attached(Slot slot, Context context) {}

  private final Vertx vertx;
  private final LeaseTable leaseTable;
  private final String nodeId;
  private final String nodeName;
  private final int shards;
  private final long leaseMs;
  private final Map<Integer, Attached> slots = new ConcurrentHashMap<>();
  /** Leases this node holds, by shard. */
  private final Map<Integer, Lease> held = new ConcurrentHashMap<>();
  /** Shards whose runs the new owner has recovered: served from then on. */
  private final Set<Integer> ready = ConcurrentHashMap.newKeySet();
  /** Shards this node is giving back: their verticles refuse new work for them. */
  private final Set<Integer> draining = ConcurrentHashMap.newKeySet();
  private volatile Map<Integer, Lease> table = Map.of();
  private volatile List<Member> members = List.of();
  private long lastRenewal = System.nanoTime();
  private long ticks;
  /** A round is running: the next one waits (a round taking many leases can outlast the period). */
  private boolean inRound;
  private boolean stopped;

  private Placement(Vertx vertx, PgConnectOptions db, String nodeName, int shards, long leaseMs) {
    this.vertx = vertx;
    this.nodeName = nodeName;
    this.nodeId = nodeName + "#" + suffix();
    this.shards = shards;
    this.leaseMs = leaseMs;
    this.leaseTable = new LeaseTable(vertx, db, nodeId, leaseMs);
  }

  /** Starts the placement of this node (call on the context that should run its ticks) and shares it. */
  public static Future<Placement> start(Vertx vertx, PgConnectOptions db, String nodeName, int shards,
      long leaseMs) {
    Placement p = new Placement(vertx, db, nodeName, shards, leaseMs);
    vertx.sharedData().<String, Placement>getLocalMap(SHARED).put(SHARED, p);
    return p.leaseTable.seed(shards).map(p).onSuccess(started -> {
      LOG.info("Node {} placing {} shards, leases of {} ms", started.nodeId, shards, leaseMs);
      vertx.setPeriodic(0, Math.max(100, leaseMs / 3), id -> {
        if (started.stopped) {
          vertx.cancelTimer(id);
        } else {
          started.tick();
        }
      });
    });
  }

  /** This node's placement, or null outside cluster mode. */
  public static Placement of(Vertx vertx) {
    return vertx.sharedData().<String, Placement>getLocalMap(SHARED).get(SHARED);
  }

  /**
   * The id this process's background work (upload jobs, asynchronous adds) is claimed under: the node's id in cluster
   * mode (the other nodes release its work when it dies); outside it an id new at each start of the process (what it
   * left unfinished is released at its next start).
   */
  public static String runnerId(Vertx vertx) {
    Placement placement = of(vertx);
    return placement != null ? placement.nodeId()
        : vertx.sharedData().<String, String>getLocalMap(SHARED + ".runner")
            .computeIfAbsent(SHARED, k -> "process-" + UUID.randomUUID());
  }

  /** This node's id: its name and a suffix new at every start (what its leases, heartbeat and jobs are kept under). */
  public String nodeId() {
    return nodeId;
  }

  public String nodeName() {
    return nodeName;
  }

  public int shards() {
    return shards;
  }

  /** The shard an agent hashes into (the same function on every node). */
  public int shardOf(String agentId) {
    return Math.floorMod(agentId.hashCode(), shards);
  }

  /** Attaches agent verticle {@code index} of this node; call on its context. */
  public void attach(int index, Slot slot) {
    slots.put(index, new Attached(slot, vertx.getOrCreateContext()));
  }

  /** The address suffix of this node's agent verticle {@code index}: {@code node-id/index}. */
  public String slotAddress(int index) {
    return nodeId + "/" + index;
  }

  /** Where the agents of {@code shard} are served now, as far as this node knows: null while no one holds it. */
  public String route(int shard) {
    Lease mine = held.get(shard);
    if (mine != null && !draining.contains(shard)) {
      return nodeId + "/" + mine.slot();
    }
    Lease known = table.get(shard);
    return known == null || !known.live() || known.node() == null || known.node().equals(nodeId) ? null
        : known.node() + "/" + known.slot();
  }

  /** Whether this node's verticle {@code index} serves {@code shard} now (held, not being given back). */
  public boolean serves(int index, int shard) {
    Lease mine = held.get(shard);
    return mine != null && mine.slot() == index && ready.contains(shard) && !draining.contains(shard);
  }

  /** The fence an agent's writes are made under: its shard's epoch while this node holds it. */
  public Fence fence(String agentId) {
    int shard = shardOf(agentId);
    Lease mine = held.get(shard);
    return mine == null ? Fence.lost(shard) : new Fence(shard, mine.epoch());
  }

  /** The live members as of the last tick. */
  public List<Member> members() {
    return members;
  }

  /** The leases as of the last tick. */
  public Map<Integer, Lease> leases() {
    return table;
  }

  /** Whether this node renewed its leases within a lease's length (it may serve). */
  public boolean healthy() {
    return System.nanoTime() - lastRenewal < leaseMs * 1_000_000L;
  }

  /** One round: heartbeat, renew, read, then take or give back leases towards this node's fair share. */
  private void tick() {
    if (inRound) {
      return;
    }
    inRound = true;
    ticks++;
    int verticles = slots.size();
    leaseTable.heartbeat(nodeName, verticles)
        .compose(v -> leaseTable.renew())
        .compose(still -> {
          lastRenewal = System.nanoTime();
          for (Lease lease : List.copyOf(held.values())) {
            Lease now = still.get(lease.shard());
            if (now == null || now.epoch() != lease.epoch()) {
              LOG.warn("Lost the lease of shard {} (epoch {})", lease.shard(), lease.epoch());
              lose(lease);
            }
          }
          List<Future<?>> strays = new ArrayList<>();
          for (Lease kept : still.values()) {
            Lease mine = held.get(kept.shard());
            if (mine == null || mine.epoch() != kept.epoch()) {
              // a lease in this node's name it does not serve (an acquire whose answer was lost): free it
              strays.add(leaseTable.release(kept.shard(), kept.epoch()));
            }
          }
          return Future.join(strays);
        })
        .compose(v -> Future.all(leaseTable.leases(), leaseTable.liveMembers()))
        .compose(read -> {
          Map<Integer, Lease> leases = read.resultAt(0);
          List<Member> live = read.resultAt(1);
          table = Map.copyOf(leases);
          members = List.copyOf(live);
          return rebalance(leases, live);
        })
        .compose(v -> ticks % 600 == 0 ? leaseTable.prune() : Future.succeededFuture())
        .onComplete(ar -> inRound = false)
        .onFailure(e -> {
          LOG.warn("Cluster placement round failed: {}", e.getMessage());
          if (!healthy()) {
            for (Lease lease : List.copyOf(held.values())) {
              LOG.warn("No renewal for a lease's length: giving up shard {}", lease.shard());
              lose(lease);
            }
          }
        });
  }

  /** How many shards each live agent verticle should hold: an even spread, the remainder to the first ones. */
  private int fairShare(List<Member> live) {
    List<String> slotsInOrder = new ArrayList<>();
    for (Member m : live) {
      for (int i = 0; i < m.verticles(); i++) {
        slotsInOrder.add(m.id() + "/" + String.format("%05d", i));
      }
    }
    if (live.stream().noneMatch(m -> m.id().equals(nodeId))) {
      return 0;
    }
    slotsInOrder.sort(Comparator.naturalOrder());
    int total = slotsInOrder.size();
    int mine = 0;
    for (int i = 0; i < total; i++) {
      if (slotsInOrder.get(i).startsWith(nodeId + "/")) {
        mine += shards / total + (i < shards % total ? 1 : 0);
      }
    }
    return mine;
  }

  private Future<Void> rebalance(Map<Integer, Lease> leases, List<Member> live) {
    // the shards being given back are released once drained, whatever the share is now
    releaseDrained();
    int target = fairShare(live);
    int holding = held.size() - draining.size();
    if (holding > target) {
      giveBack(holding - target);
      return Future.succeededFuture();
    }
    if (holding < target && !slots.isEmpty()) {
      Set<String> liveIds = new java.util.HashSet<>();
      live.forEach(m -> liveIds.add(m.id()));
      List<Integer> free = leases.values().stream()
          .filter(l -> l.node() == null || !l.live() || !liveIds.contains(l.node()))
          .map(Lease::shard).sorted().toList();
      Future<Void> chain = Future.succeededFuture();
      for (int shard : free.subList(0, Math.min(free.size(), target - holding))) {
        chain = chain.compose(v -> acquire(shard));
      }
      return chain;
    }
    return Future.succeededFuture();
  }

  /** Takes {@code shard} for the local verticle holding the fewest shards. */
  private Future<Void> acquire(int shard) {
    int slot = leastLoadedSlot();
    return leaseTable.acquire(shard, slot).map(epoch -> {
      if (epoch != null) {
        Lease lease = new Lease(shard, nodeId, slot, epoch, true);
        held.put(shard, lease);
        LOG.info("Took shard {} (epoch {}) for agent verticle {}", shard, epoch, slot);
        Attached a = slots.get(slot);
        a.context().runOnContext(v -> a.slot().gained(shard, epoch).onComplete(ar -> {
          if (ar.failed()) {
            LOG.error("Recovering the runs of shard {} failed; serving it anyway", shard, ar.cause());
          }
          if (held.get(shard) == lease) {
            ready.add(shard);
          }
        }));
      }
      return null;
    });
  }

  private int leastLoadedSlot() {
    Map<Integer, Integer> load = new HashMap<>();
    slots.keySet().forEach(i -> load.put(i, 0));
    held.values().forEach(l -> load.merge(l.slot(), 1, Integer::sum));
    return load.entrySet().stream().min(Map.Entry.<Integer, Integer>comparingByValue()
        .thenComparing(Map.Entry.comparingByKey())).orElseThrow().getKey();
  }

  /**
   * Gives back up to {@code surplus} shards (two at a time): each is marked draining (its verticle refuses new work
   * for it, which its senders retry at the next owner), and released once its verticle has drained it.
   */
  private void giveBack(int surplus) {
    if (draining.isEmpty()) {
      held.keySet().stream().sorted(Comparator.reverseOrder()).limit(Math.min(surplus, 2)).forEach(draining::add);
      releaseDrained();
    }
  }

  /** Releases each shard being given back whose verticle has nothing queued or running for it any more. */
  private void releaseDrained() {
    for (int shard : List.copyOf(draining)) {
      Lease lease = held.get(shard);
      if (lease == null) {
        draining.remove(shard);
        continue;
      }
      Attached a = slots.get(lease.slot());
      a.context().runOnContext(v -> {
        if (a.slot().drained(shard)) {
          leaseTable.release(shard, lease.epoch()).onComplete(ar -> {
            LOG.info("Gave back shard {} (epoch {})", shard, lease.epoch());
            lose(lease);
          });
        }
      });
    }
  }

  private void lose(Lease lease) {
    if (held.remove(lease.shard(), lease)) {
      draining.remove(lease.shard());
      ready.remove(lease.shard());
      Attached a = slots.get(lease.slot());
      if (a != null) {
        a.context().runOnContext(v -> a.slot().lost(lease.shard()));
      }
    }
  }

  /** Whether any of this node's shards satisfies {@code test} (e.g. held by a slot). */
  public boolean holdsAny(IntPredicate test) {
    return held.keySet().stream().anyMatch(test::test);
  }

  /** How many shards each local verticle holds. */
  public Map<Integer, Integer> heldBySlot() {
    Map<Integer, Integer> counts = new HashMap<>();
    slots.keySet().forEach(i -> counts.put(i, 0));
    held.values().forEach(l -> counts.merge(l.slot(), 1, Integer::sum));
    return counts;
  }

  /** Stops renewing and gives the leases back (a clean stop: the other nodes take the shards at once). */
  public Future<Void> stop() {
    stopped = true;
    List<Future<?>> released = new ArrayList<>();
    for (Lease lease : held.values()) {
      released.add(leaseTable.release(lease.shard(), lease.epoch()));
    }
    held.clear();
    return Future.join(released).eventually(leaseTable::close).mapEmpty();
  }

  private static String suffix() {
    SecureRandom random = new SecureRandom();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      out.append("abcdefghijkmnpqrstuvwxyz23456789".charAt(random.nextInt(32)));
    }
    return out.toString();
  }
}
