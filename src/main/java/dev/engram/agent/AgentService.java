package dev.engram.agent;

import static dev.engram.agent.AgentProtocol.runEvents;

import dev.engram.agent.AgentProtocol.*;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.model.Agent;
import dev.engram.model.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The agents of one shard: a cache of their live state and a mailbox that runs each agent's operations one at a time,
 * in arrival order. Every operation checks that the agent belongs to the requesting user (404 otherwise), and works on
 * blocks as fresh as the store's notices say (another agent or the API may have written a shared block).
 */
final class AgentService {
  private static final int CACHE_LIMIT = 10_000;
  /** Letters of any language, digits, spaces, '_', '-' and apostrophes (Letta's rule), at most 50 of them. */
  private static final Pattern NAME = Pattern.compile("^[\\p{L}\\p{N} _'-]{1,50}$");
  /** How often a generated name is drawn again when the user already has an agent of that name. */
  private static final int NAME_DRAWS = 8;
  static final String NO_LLM = "No LLM is configured: set OPENAI_BASE_URL to an OpenAI-compatible endpoint (and"
      + " OPENAI_API_KEY if it needs one), then restart the server";

  private final AgentDeps deps;
  private final boolean llmConfigured;
  private final AgentMailbox mailbox = new AgentMailbox();
  private final CommandRunner commands = new CommandRunner();
  private final NewAgents newAgents;
  private final AgentChanges changes;
  /** Counts the block notices seen, so that a load that raced one knows to reload its blocks. */
  private long blockNotices;
  private final Map<String, AgentRuntime> cache = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, AgentRuntime> eldest) {
      return size() > CACHE_LIMIT && mailbox.idle(eldest.getKey());
    }
  };

  AgentService(AgentDeps deps, boolean llmConfigured) {
    this.deps = deps;
    this.llmConfigured = llmConfigured;
    this.newAgents = new NewAgents(deps);
    this.changes = new AgentChanges(deps);
  }

  /**
   * Creates an agent: its blocks and tools as planned by {@link NewAgents}, and its first messages (the boot sequence,
   * or an imported history). A generated name that is taken is drawn again.
   */
  Future<AgentView> create(CreateAgent req) {
    return mailbox.submit(req.agentId(), () -> {
      String given = req.spec().name();
      if (given != null) {
        validateName(given);
      }
      return create(req, given != null ? given : Names.random(), given != null ? 1 : NAME_DRAWS);
    });
  }

  private Future<AgentView> create(CreateAgent req, String name, int draws) {
    return newAgents.plan(req, name).compose(planned -> {
      AgentRuntime rt = new AgentRuntime(planned.agent(), List.of(), 0, 0);
      List<Message> messages = newAgents.firstMessages(rt, req.spec());
      rt.agent = rt.agent.withContext(rt.contextIds(), false, null);
      return deps.store().insertAgent(rt.agent, planned.newBlocks(), messages).compose(done -> {
        rt.recallCount = messages.size();
        rt.stored();
        cache.put(rt.agent.id(), rt);
        return view(rt);
      });
    }).recover(e -> draws > 1 && isNameTaken(e) ? create(req, Names.random(), draws - 1) : Future.failedFuture(e));
  }

  private static boolean isNameTaken(Throwable e) {
    ApiException api = ApiException.from(e);
    return api.kind() == ErrorKind.CONFLICT && api.getMessage().startsWith("An agent named");
  }

  Future<AgentView> get(GetAgent req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId()).compose(this::view));
  }

  Future<MemoryChange> updateMemory(EditCoreMemory req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId())
        .compose(rt -> changes.setValues(rt, req.values())));
  }

  Future<EditedBlock> editBlock(EditBlock req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId())
        .compose(rt -> changes.editBlock(rt, req.label(), req.patch())).map(EditedBlock::new));
  }

  Future<AgentView> linkBlock(LinkBlock req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId())
        .compose(rt -> changes.linkBlock(rt, req.blockId(), req.attach()).compose(v -> view(rt))));
  }

  Future<AgentView> linkTool(LinkTool req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId())
        .compose(rt -> changes.linkTool(rt, req.toolName(), req.attach()).compose(v -> view(rt))));
  }

  Future<AgentView> update(UpdateAgent req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId())
        .compose(rt -> changes.update(rt, req.patch()))
        .compose(rt -> {
          cache.put(rt.agent.id(), rt); // a new model comes with a new runtime (its tokenizer)
          return view(rt);
        }));
  }

  Future<ContextWindow> context(GetContext req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId()).map(changes::context));
  }

  Future<AgentView> reset(ResetMessages req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId())
        .compose(rt -> changes.reset(rt, req.addInitialMessages()).compose(v -> view(rt))));
  }

  Future<AgentView> rename(Rename req) {
    return mailbox.submit(req.agentId(), () -> {
      validateName(req.name());
      return runtime(req.userId(), req.agentId()).compose(rt -> {
        if (rt.agent.name().equals(req.name())) {
          return view(rt);
        }
        Agent renamed = rt.agent.withName(req.name());
        return rt.save(deps, renamed, List.of()).compose(v -> {
          rt.agent = renamed;
          return view(rt);
        });
      });
    });
  }

  Future<AgentDeleted> delete(DeleteAgent req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId())
        .compose(rt -> deps.store().deleteAgent(rt.agent.id()))
        .map(done -> {
          cache.remove(req.agentId());
          return new AgentDeleted();
        }));
  }

  Future<CommandResult> command(Command req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId())
        .compose(rt -> commands.run(rt, req.command(), deps)));
  }

  /**
   * Runs a send. The returned future answers once the run starts (or fails if it cannot: unknown agent, no model);
   * from then on the run's address receives its events as each step is stored, and always a last
   * {@link RunFinished}, success or not. The agent's mailbox stays busy until the run has finished.
   */
  Future<RunAccepted> step(Step req) {
    Promise<RunAccepted> accepted = Promise.promise();
    RunOutbox outbox = new RunOutbox(req.runId());
    mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId()).compose(rt -> {
      if (!llmConfigured) {
        return Future.failedFuture(new ApiException(ErrorKind.UNAVAILABLE, NO_LLM));
      }
      ContextBudget.refuseOversized(rt, deps, req);
      accepted.complete(new RunAccepted(req.runId()));
      return new StepLoop(rt, req, deps, outbox).run();
    })).onComplete(ar -> {
      if (!accepted.tryFail(ar.failed() ? ar.cause() : new IllegalStateException("run ended unaccepted"))) {
        outbox.flush();
        if (ar.succeeded()) {
          outbox.publish(new RunFinished(ar.result().usage(), ar.result().steps(), 0, null));
        } else {
          ApiException e = ApiException.from(ar.cause());
          outbox.publish(new RunFinished(null, 0, e.status(), e.getMessage()));
        }
      }
    });
    return accepted.future();
  }

  /**
   * Where a run's messages go. Events of one event-loop turn are gathered and sent as one {@link RunEvents} at the
   * end of the turn (a step emits several at once); {@link #flush} sends what waits at once, before the run's last
   * message.
   */
  private final class RunOutbox implements Consumer<StepEvent> {
    private final String address;
    private final List<StepEvent> pending = new ArrayList<>();

    RunOutbox(String runId) {
      this.address = runEvents(runId);
    }

    @Override
    public void accept(StepEvent e) {
      if (pending.isEmpty()) {
        deps.vertx().getOrCreateContext().runOnContext(v -> flush());
      }
      pending.add(e);
    }

    void flush() {
      if (pending.isEmpty()) {
        return;
      }
      List<StepEvent> batch = List.copyOf(pending);
      pending.clear();
      publish(new RunEvents(batch));
    }

    void publish(RunMessage message) {
      deps.vertx().eventBus().send(address, message);
    }
  }

  /**
   * The cached runtime, or the agent loaded from storage; 404 when unknown or another user's. Its blocks are reloaded
   * first when another writer changed one of them (a notice arrived, or arrived while it was being loaded).
   */
  private Future<AgentRuntime> runtime(String userId, String agentId) {
    AgentRuntime cached = cache.get(agentId);
    if (cached != null) {
      return cached.agent.userId().equals(userId) ? fresh(cached) : notFound(agentId);
    }
    long noticesBefore = blockNotices;
    return deps.store().loadAgent(agentId).compose(loaded -> {
      if (loaded.agent() == null || !loaded.agent().userId().equals(userId)) {
        return notFound(agentId);
      }
      AgentRuntime rt = new AgentRuntime(loaded.agent(), loaded.inContext(), loaded.recallCount(),
          loaded.archivalCount());
      rt.blocksStale = blockNotices != noticesBefore;
      cache.put(agentId, rt);
      return fresh(rt);
    });
  }

  /** The runtime with its blocks reloaded if they are stale, and its system message rebuilt if they changed. */
  private Future<AgentRuntime> fresh(AgentRuntime rt) {
    return BlockSync.reload(rt, deps)
        .compose(changed -> changed ? changes.rebuildSystem(rt) : Future.<Void>succeededFuture())
        .map(rt);
  }

  /**
   * The store's notice that blocks were written: the cached agents holding an older version of one reload their
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

  private static <T> Future<T> notFound(String agentId) {
    return Future.failedFuture(ApiException.notFound("Agent agent_id=" + agentId + " not found"));
  }

  /**
   * Forgets the cached agents of a user whose credentials were revoked. When the user was deleted, their agents are
   * gone from storage and must not be served from the cache (e.g. to a user created again with the same id); after a
   * key deletion they are simply reloaded on next use. A run in progress keeps its runtime and saves as usual.
   */
  void forgetUser(String userId) {
    cache.values().removeIf(rt -> rt.agent.userId().equals(userId));
  }

  /** The agent as the API shows it, with a fresh archival count (sources may have been attached meanwhile). */
  private Future<AgentView> view(AgentRuntime rt) {
    return deps.archival().count(rt.agent.userId(), rt.agent.id()).map(n -> {
      rt.archivalCount = n;
      return new AgentView(rt.agent, rt.system(), rt.recallCount, n, List.copyOf(rt.context));
    });
  }

  /** The store's notice that these agents' archival memory changed: refresh the counts of those cached here. */
  void archivalChanged(List<String> agentIds) {
    for (String id : agentIds) {
      AgentRuntime rt = cache.get(id);
      if (rt != null) {
        deps.archival().count(rt.agent.userId(), id).onSuccess(n -> rt.archivalCount = n);
      }
    }
  }

  static void validateName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiException.badRequest("Agent name must be 1 to 50 characters of letters, digits, spaces, '_', '-' or"
          + " apostrophes");
    }
  }
}
