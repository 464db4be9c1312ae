package dev.engram.http.letta;

import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.store.ConversationClient;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The thread a {@code /v1/conversations/{conversation_id}} path names, and so the agent shard that serves it: a
 * conversation (its agent read from the store once, then remembered: a conversation never changes agent), or the
 * agent's own thread, which Letta names {@code default} with an {@code agent_id} (or, deprecated, by the agent's id in
 * place of the conversation's). Another user's conversation is unknown (404). One instance per HTTP verticle, confined
 * to its event loop.
 */
public final class ConversationTargets {
  /** Conversations remembered per HTTP verticle: two UUIDs each, about 200 bytes. */
  private static final int LIMIT = 10_000;
  static final String DEFAULT = "default";

  /** A thread: the agent's own ({@code conversationId} null) or one of its conversations. */
  record Target(String agentId, String conversationId) {}

  private record Owner(String userId, String agentId) {}

  private final ConversationClient conversations;
  private final Map<String, Owner> known = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Owner> eldest) {
      return size() > LIMIT;
    }
  };

  public ConversationTargets(ConversationClient conversations) {
    this.conversations = conversations;
  }

  /**
   * The thread {@code pathId} names for the user; {@code agentId} (from the query or the body, may be null) names the
   * agent of {@code default}. The agent of the agent's own thread is checked by whoever serves it.
   */
  Future<Target> resolve(String userId, String pathId, String agentId) {
    if (DEFAULT.equals(pathId)) {
      if (agentId == null) {
        return Future.failedFuture(Bodies.invalid("conversation_id 'default' names an agent's own thread: give"
            + " its agent_id"));
      }
      return Future.succeededFuture(new Target(PrefixedIds.bare(agentId, PrefixedIds.AGENT), null));
    }
    if (pathId.startsWith(PrefixedIds.AGENT + "-")) {
      return Future.succeededFuture(new Target(PrefixedIds.bare(pathId, PrefixedIds.AGENT), null));
    }
    return conversation(userId, pathId);
  }

  /** A conversation of the user (404 otherwise): never the agent's own thread. */
  Future<Target> conversation(String userId, String conversationId) {
    if (Ids.parse(conversationId) == null) {
      return notFound(conversationId);
    }
    Owner owner = known.get(conversationId);
    if (owner != null) {
      return owner.userId().equals(userId) ? Future.succeededFuture(new Target(owner.agentId(), conversationId))
          : notFound(conversationId);
    }
    return conversations.get(userId, conversationId).map(c -> {
      known.put(c.id(), new Owner(c.userId(), c.agentId()));
      return new Target(c.agentId(), c.id());
    });
  }

  /** A deleted conversation: its id names nothing any more. */
  void forget(String conversationId) {
    known.remove(conversationId);
  }

  private static <T> Future<T> notFound(String conversationId) {
    return Future.failedFuture(ApiException.notFound("Conversation conversation_id=" + conversationId
        + " not found"));
  }
}
