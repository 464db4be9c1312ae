package dev.engram.agent;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Agent;
import dev.engram.model.Conversation;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shard's directory of live threads: a cache of the runtime of each thread (an agent's own, and each of its
 * conversations), and the mailbox that runs each thread's operations one at a time, in arrival order, while threads run
 * concurrently, those of one agent included. Every lookup checks that the thread belongs to the requesting user (404
 * otherwise), and hands out blocks as fresh as the store's notices say (another thread, another agent or the API may
 * have written a shared block).
 *
 * <p>What the threads of an agent share (settings, tools, blocks) is written through the agent's own thread or to the
 * blocks; a conversation's runtime is dropped from the cache when the agent's settings change, and is loaded again
 * (with a system message rebuilt if it no longer shows the agent's instructions and blocks) at its next operation. A
 * conversation running at that moment takes the new settings at its next step ({@link BlockSync}).
 */
final class Runtimes {
  private static final int CACHE_LIMIT = 10_000;

  final AgentMailbox mailbox = new AgentMailbox();
  private final AgentDeps deps;
  private final AgentChanges changes;
  /** Counts the block notices seen, so that a load that raced one knows to reload its blocks. */
  private long blockNotices;
  /** Counts the changes of agents' settings, so that a conversation's load that raced one takes it. */
  private long settingChanges;
  /** The cached conversations of each agent (their thread keys), to reach them when the agent changes. */
  private final Map<String, Set<String>> conversationsOf = new HashMap<>();
  private final Map<String, AgentRuntime> cache = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, AgentRuntime> eldest) {
      boolean evict = size() > CACHE_LIMIT && mailbox.idle(eldest.getKey());
      if (evict) {
        unlisted(eldest.getValue());
      }
      return evict;
    }
  };

  Runtimes(AgentDeps deps, AgentChanges changes) {
    this.deps = deps;
    this.changes = changes;
  }

  /** Keeps {@code rt} as its thread's runtime (a new agent or conversation, or a copy with a new model). */
  void put(AgentRuntime rt) {
    AgentRuntime replaced = cache.put(rt.threadKey(), rt);
    if (replaced != null) {
      unlisted(replaced);
    }
    if (rt.conversationId != null) {
      conversationsOf.computeIfAbsent(rt.agent.id(), k -> new HashSet<>()).add(rt.threadKey());
    }
  }

  private void unlisted(AgentRuntime rt) {
    if (rt.conversationId != null) {
      Set<String> keys = conversationsOf.get(rt.agent.id());
      if (keys != null && keys.remove(rt.threadKey()) && keys.isEmpty()) {
        conversationsOf.remove(rt.agent.id());
      }
    }
  }

  private void remove(String key) {
    AgentRuntime gone = cache.remove(key);
    if (gone != null) {
      unlisted(gone);
    }
  }

  /** The cached runtime of the agent's own thread, or of one of its conversations (null when not cached). */
  AgentRuntime cached(String agentId, String conversationId) {
    return cache.get(AgentRuntime.threadKey(agentId, conversationId));
  }

  /** The agent's own thread: see {@link #thread}. */
  Future<AgentRuntime> agent(String userId, String agentId) {
    return thread(userId, agentId, null);
  }

  /**
   * The runtime of a thread: the cached one, or the thread loaded from storage; 404 when the agent (or conversation)
   * is unknown or another user's, or the conversation another agent's. Its blocks are reloaded first when another
   * writer changed one of them (a notice arrived, or arrived while it was being loaded). Call inside the thread's
   * mailbox only: a runtime loaded outside it would replace one that a mailbox task holds.
   */
  Future<AgentRuntime> thread(String userId, String agentId, String conversationId) {
    AgentRuntime cached = cached(agentId, conversationId);
    if (cached != null) {
      return cached.agent.userId().equals(userId) ? fresh(cached, false) : notFound(agentId, conversationId);
    }
    long noticesBefore = blockNotices;
    long changesBefore = settingChanges;
    return load(userId, agentId, conversationId).compose(rt -> {
      rt.blocksStale = blockNotices != noticesBefore;
      if (settingChanges != changesBefore && rt.conversationId != null) {
        AgentRuntime own = cached(agentId, null);
        rt.sharedUpdate = own == null ? null : own.agent;
      }
      put(rt);
      // a conversation loaded after the agent's instructions or blocks changed does not show them yet
      return fresh(rt, rt.conversationId != null && !shows(rt));
    });
  }

  /** The thread as stored, not cached; 404 as {@link #thread}. */
  private Future<AgentRuntime> load(String userId, String agentId, String conversationId) {
    if (Ids.parse(agentId) == null || (conversationId != null && Ids.parse(conversationId) == null)) {
      return notFound(agentId, conversationId);
    }
    if (conversationId == null) {
      return deps.store().loadAgent(agentId).compose(loaded -> loaded.agent() == null
          || !loaded.agent().userId().equals(userId) ? notFound(agentId, null)
          : Future.succeededFuture(new AgentRuntime(loaded.agent(), loaded.inContext(), loaded.recallCount(),
              loaded.archivalCount())));
    }
    return deps.conversations().load(conversationId).compose(loaded -> {
      Conversation c = loaded.conversation();
      if (c == null || !c.userId().equals(userId) || !c.agentId().equals(agentId)) {
        return notFound(agentId, conversationId);
      }
      return Future.succeededFuture(new AgentRuntime(c.applyTo(loaded.agent()), loaded.inContext(), c.recallCount(),
          loaded.archivalCount(), c.id()));
    });
  }

  /** Whether the thread's system message shows the agent's instructions and core memory as they now are. */
  private static boolean shows(AgentRuntime rt) {
    String system = rt.system();
    return system.startsWith(Templates.instructions(rt.agent) + "\n\n\n")
        && system.endsWith(SystemPrompt.coreMemory(rt.agent.memory()));
  }

  /**
   * The runtime with its shared state taken and its blocks reloaded if they are stale, and its system message rebuilt
   * if what it shows changed ({@code rebuild}: in any case).
   */
  private Future<AgentRuntime> fresh(AgentRuntime rt, boolean rebuild) {
    return BlockSync.reload(rt, deps)
        .compose(changed -> changed || rebuild ? changes.rebuildSystem(rt) : Future.<Void>succeededFuture())
        .map(rt);
  }

  /**
   * A thread for a check made outside its mailbox (a stored-first send's acceptance, the agent a new conversation
   * starts from): the cached runtime, or one loaded for the check and not kept (a second cached runtime beside one a
   * mailbox task holds would diverge from it).
   */
  Future<AgentRuntime> peek(String userId, String agentId, String conversationId) {
    AgentRuntime cached = cached(agentId, conversationId);
    if (cached != null) {
      return cached.agent.userId().equals(userId) ? Future.succeededFuture(cached)
          : notFound(agentId, conversationId);
    }
    return load(userId, agentId, conversationId);
  }

  /** Succeeds when the thread is the user's (404 otherwise), without waiting behind its mailbox. */
  Future<Void> owner(String userId, String agentId, String conversationId) {
    return peek(userId, agentId, conversationId).mapEmpty();
  }

  static <T> Future<T> notFound(String agentId, String conversationId) {
    return Future.failedFuture(conversationId == null
        ? ApiException.notFound("Agent agent_id=" + agentId + " not found")
        : ApiException.notFound("Conversation conversation_id=" + conversationId + " not found"));
  }

  /**
   * The agent's settings (or its list of blocks) changed through its own thread: each cached conversation of it is
   * dropped, to be loaded again at its next operation; one running now takes the new settings at its next step.
   */
  void agentChanged(Agent agent) {
    settingChanges++;
    Set<String> keys = conversationsOf.remove(agent.id());
    if (keys == null) {
      return;
    }
    for (String key : keys) {
      AgentRuntime rt = cache.remove(key);
      if (rt != null && !mailbox.idle(key)) {
        rt.sharedUpdate = agent;
      }
    }
  }

  /** Forgets every thread of a deleted agent. */
  void forgetAgent(String agentId) {
    new ArrayList<>(conversationsOf.getOrDefault(agentId, Set.of())).forEach(this::remove);
    remove(agentId);
  }

  /** Forgets every cached thread of the agents {@code agents} matches (cluster mode: a shard changed hands). */
  void forgetAgents(java.util.function.Predicate<String> agents) {
    List<String> keys = new ArrayList<>();
    cache.forEach((key, rt) -> {
      if (agents.test(rt.agent.id())) {
        keys.add(key);
      }
    });
    keys.forEach(this::remove);
  }

  /** Forgets the agent's own thread (a message of its context was edited): it is loaded again when next used. */
  void forgetThread(String agentId) {
    remove(agentId);
  }

  /** Forgets a conversation's thread (deleted, or its overrides changed: it is loaded again when next used). */
  void forgetConversation(String agentId, String conversationId) {
    remove(AgentRuntime.threadKey(agentId, conversationId));
  }

  /**
   * The store's notice that blocks were written: the cached threads holding an older version of one reload their
   * blocks before their next operation or step.
   */
  void blocksChanged(Map<String, Long> versions) {
    blockNotices++;
    for (AgentRuntime rt : cache.values()) {
      if (BlockSync.outdatedBy(rt, versions)) {
        rt.blocksStale = true;
      }
    }
  }

  /** The store's notice that these agents' archival memory changed: refresh the counts of their cached threads. */
  void archivalChanged(List<String> agentIds) {
    for (String id : agentIds) {
      List<AgentRuntime> threads = new ArrayList<>();
      AgentRuntime own = cache.get(id);
      if (own != null) {
        threads.add(own);
      }
      for (String key : conversationsOf.getOrDefault(id, Set.of())) {
        threads.add(cache.get(key));
      }
      if (!threads.isEmpty()) {
        deps.archival().count(threads.get(0).agent.userId(), id).onSuccess(n -> threads.forEach(rt -> {
          if (rt != null) {
            rt.archivalCount = n;
          }
        }));
      }
    }
  }

  /**
   * Forgets the cached threads of a user whose credentials were revoked. When the user was deleted, their agents are
   * gone from storage and must not be served from the cache (e.g. to a user created again with the same id); after a
   * key deletion they are simply reloaded on next use. A run in progress keeps its runtime and saves as usual.
   */
  void forgetUser(String userId) {
    List<String> keys = new ArrayList<>();
    cache.forEach((key, rt) -> {
      if (rt.agent.userId().equals(userId)) {
        keys.add(key);
      }
    });
    keys.forEach(this::remove);
  }
}
