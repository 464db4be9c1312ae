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

  public static final String ARCHIVAL_INSERT = "store.archival.insert";
  public static final String ARCHIVAL_LIST = "store.archival.list";
  public static final String ARCHIVAL_SEARCH = "store.archival.search";
  public static final String ARCHIVAL_DELETE = "store.archival.delete";
  public static final String ARCHIVAL_COUNT = "store.archival.count";
  public static final String SOURCE_CREATE = "store.source.create";
  public static final String SOURCE_UPDATE = "store.source.update";
  public static final String SOURCE_GET = "store.source.get";
  public static final String SOURCE_LIST = "store.source.list";
  public static final String SOURCE_DELETE = "store.source.delete";
  public static final String SOURCE_ATTACH = "store.source.attach";
  public static final String SOURCE_PASSAGES = "store.source.passages";
  public static final String SOURCE_DOCUMENTS = "store.source.documents";
  public static final String JOB_CREATE = "store.job.create";
  public static final String JOB_GET = "store.job.get";
  public static final String JOB_START = "store.job.start";
  public static final String JOB_COMPLETE = "store.job.complete";
  public static final String JOB_FAIL = "store.job.fail";
  public static final String JOB_UNFINISHED = "store.job.unfinished";

  public static final String MEMORY_APPLY = "store.memory.apply";
  public static final String MEMORY_SEARCH = "store.memory.search";
  public static final String MEMORY_SCOPES = "store.memory.scopes";
  public static final String MEMORY_LIST = "store.memory.list";
  public static final String MEMORY_GET = "store.memory.get";
  public static final String MEMORY_UPDATE = "store.memory.update";
  public static final String MEMORY_DELETE = "store.memory.delete";
  public static final String MEMORY_DELETE_ALL = "store.memory.delete-all";
  public static final String MEMORY_HISTORY = "store.memory.history";
  public static final String MEMORY_RESET = "store.memory.reset";
  public static final String SESSION_CREATE = "store.session.create";
  public static final String SESSION_GET = "store.session.get";
  public static final String SESSION_DELETE = "store.session.delete";
  public static final String SESSION_RECENT = "store.session.recent";
  public static final String STORE_PING = "store.ping";

  /** Published by the store with a list of agent ids whose archival memory changed (counts to refresh). */
  public static final String ARCHIVAL_CHANGED = "store.archival.changed";

  // source verticle: SourceProtocol.Upload -> ArchivalProtocol.JobReply (the job runs on after the reply)
  public static final String SOURCE_UPLOAD = "source.upload";

  // embedding verticle: EmbedProtocol.Embed -> EmbedProtocol.Vectors, EmbedProtocol.Describe -> EmbedProtocol.Model
  public static final String EMBED = "embed.texts";
  public static final String EMBED_MODEL = "embed.model";

  // memory verticle (Mem0 add with inference, semantic-memory chat): MemoryRequests.* -> replies there
  public static final String MEMORY_ADD = "memory.add";
  public static final String MEMORY_CHAT = "memory.chat";
  public static final String MEMORY_CONFIGURE = "memory.configure";
  /** Published with MemoryRequests.SettingsChanged: every memory verticle instance takes the new settings. */
  public static final String MEMORY_SETTINGS = "memory.settings";

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
