package dev.engram.kernel;

/** Every event-bus address the verticles use. Lowercase and dotted: feature.resource.verb. */
public final class Addresses {
  private Addresses() {}

  // persistence verticle
  public static final String USER_CREATE = "store.user.create";
  public static final String USER_LIST = "store.user.list";
  public static final String USER_DELETE = "store.user.delete";
  public static final String KEY_CREATE = "store.key.create";
  public static final String KEY_LIST = "store.key.list";
  public static final String KEY_DELETE = "store.key.delete";
  public static final String KEY_RESOLVE = "store.key.resolve";
  public static final String USER_EXISTS = "store.user.exists";
  public static final String AGENT_INSERT = "store.agent.insert";
  public static final String AGENT_LOAD = "store.agent.load";
  public static final String AGENT_LIST = "store.agent.list";
  public static final String AGENT_DELETE = "store.agent.delete";
  public static final String AGENT_SAVE = "store.agent.save";
  public static final String MESSAGE_PAGE = "store.message.page";
  public static final String MESSAGE_CURSOR = "store.message.cursor";
  public static final String MESSAGE_SEARCH = "store.message.search";

  // embedding verticle: EmbedProtocol.Embed -> EmbedProtocol.Vectors, EmbedProtocol.Describe -> EmbedProtocol.Model
  public static final String EMBED = "embed.texts";
  public static final String EMBED_MODEL = "embed.model";

  /** Published when an API key or user is revoked, so that HTTP instances drop cached credentials. */
  public static final String AUTH_REVOKED = "auth.revoked";

  /** Agent verticle instance {@code shard} serves operation {@code op} for the agents hashed to it. */
  public static String agent(int shard, String op) {
    return "agent." + shard + "." + op;
  }

  /** Where the events of one run (a send and its chained steps) are delivered, in order. */
  public static String runEvents(String runId) {
    return "agent.run." + runId + ".events";
  }

  /** The shard that owns an agent: steps and edits of one agent are always served by one instance. */
  public static int shardOf(String agentId, int shards) {
    return Math.floorMod(agentId.hashCode(), shards);
  }
}
