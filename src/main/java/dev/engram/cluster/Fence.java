package dev.engram.cluster;

/**
 * The lease an agent's write is made under (cluster mode): the write commits only while the lease of {@code shard}
 * still has {@code epoch}. A node that lost the lease (taken over after it stopped answering) therefore cannot commit
 * a step for an agent it no longer owns. {@link #NONE} (null fields) outside cluster mode: no check.
 */
public record Fence(Integer shard, Long epoch) {
  public static final Fence NONE = new Fence(null, null);

  /** A fence no write passes: the node does not hold the agent's lease. */
  public static Fence lost(int shard) {
    return new Fence(shard, -1L);
  }

  /** The detail of a block write refused by its fence. */
  public static final String REFUSED_BLOCK = "This node no longer holds the lease of the agent writing this block (it"
      + " was taken over): the write was not committed";

  /** The detail of a write refused by its fence. */
  public static String refused(String agentId) {
    return "This node no longer owns agent agent_id=" + agentId + " (its lease was taken over): the write was not"
        + " committed; the new owner runs what was accepted";
  }
}
