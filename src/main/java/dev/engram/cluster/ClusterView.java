package dev.engram.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** What /admin/cluster and /health show of a node's {@link Placement}. */
public final class ClusterView {
  private ClusterView() {}

  /**
   * The members this node sees alive, each with its agent verticles and the shards it holds (and, for this node,
   * the shards of each verticle); {@code enabled} false outside cluster mode.
   */
  public static JsonObject of(Placement placement) {
    if (placement == null) {
      return new JsonObject().put("enabled", false);
    }
    Map<String, Integer> shardsByNode = new HashMap<>();
    placement.leases().values().forEach(l -> {
      if (l.node() != null && l.live()) {
        shardsByNode.merge(l.node(), 1, Integer::sum);
      }
    });
    JsonArray members = new JsonArray();
    for (Placement.Member m : placement.members()) {
      JsonObject member = new JsonObject().put("id", m.id()).put("name", m.name())
          .put("agent_verticles", m.verticles()).put("shards", shardsByNode.getOrDefault(m.id(), 0))
          .put("self", m.id().equals(placement.nodeId()));
      members.add(member);
    }
    JsonArray verticles = new JsonArray();
    placement.heldBySlot().forEach((slot, shards) -> verticles.add(new JsonObject().put("index", slot)
        .put("address", placement.slotAddress(slot)).put("shards", shards)));
    return summary(placement).put("enabled", true).put("members", members).put("agent_verticles", verticles);
  }

  /** The node's name and health as /health reports them. */
  public static JsonObject summary(Placement placement) {
    return new JsonObject().put("node", placement.nodeName()).put("node_id", placement.nodeId())
        .put("members", placement.members().size()).put("shards", placement.shards())
        .put("shards_held", placement.heldBySlot().values().stream().mapToInt(Integer::intValue).sum())
        .put("leases_current", placement.healthy());
  }
}
