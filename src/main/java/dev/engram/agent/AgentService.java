package dev.engram.agent;

import static dev.engram.agent.AgentProtocol.runEvents;

import dev.engram.agent.AgentProtocol.*;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Times;
import dev.engram.llm.LlmReply;
import dev.engram.model.Agent;
import dev.engram.model.Message;
import dev.engram.model.Run;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import dev.engram.store.RunClient;
import dev.engram.store.RunProtocol.Claimed;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private final RunClient runs;
  /** Runs this shard has taken and not finished (queued or running), by id: what a cancel can reach. */
  private final Map<String, RunControl> live = new HashMap<>();
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

  AgentService(AgentDeps deps, boolean llmConfigured, RunClient runs) {
    this.deps = deps;
    this.llmConfigured = llmConfigured;
    this.runs = runs;
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
   * Takes a send. A plain send waits in the agent's mailbox and is answered when its run starts (or fails if it
   * cannot: unknown agent, no model, a message too long); its row is stored with its first write. A send stored first
   * (async, or with an idempotency key) is stored at once, before anything else, and keeps its place in the mailbox
   * meanwhile: a repeated key is answered with the first run and nothing runs; an async send is answered as soon as
   * it is stored. From the start on, the run's address receives its events as each step is stored and always a last
   * {@link RunFinished}, once the run's end is stored. The mailbox stays busy until the run has finished.
   */
  Future<RunAccepted> step(Step req) {
    RunControl control = new RunControl(req.runId(), req.agentId(), req.userId());
    Promise<RunAccepted> accepted = Promise.promise();
    Instant now = Times.now();
    if (!req.storedFirst()) {
      live.put(req.runId(), control);
      Run run = Run.open(req.runId(), req.agentId(), req.userId(), Run.RUNNING, null, req.request(), now);
      mailbox.submit(req.agentId(), () -> execute(req, control, run, false, accepted));
      return accepted.future();
    }
    Run queued = Run.open(req.runId(), req.agentId(), req.userId(), Run.CREATED, req.idempotencyKey(),
        req.request(), now);
    // what the run would be refused for when it starts is refused before it is stored
    Future<Claimed> claim = peek(req.userId(), req.agentId()).compose(rt -> {
      if (!llmConfigured) {
        return Future.failedFuture(new ApiException(ErrorKind.UNAVAILABLE, NO_LLM));
      }
      ContextBudget.refuseOversized(rt, deps, req);
      return runs.claim(queued);
    });
    enqueue(req, control, claim, accepted);
    return accepted.future();
  }

  /** Runs that a previous process stored and did not start: each joins its agent's mailbox, oldest first. */
  void resume(List<Run> queued) {
    for (Run run : queued) {
      Step req = new Step(run.id(), run.userId(), run.agentId(), run.request(), run.idempotencyKey(), true);
      enqueue(req, new RunControl(run.id(), run.agentId(), run.userId()),
          Future.succeededFuture(new Claimed(run, false)), Promise.promise());
    }
  }

  /**
   * Queues a run stored before it starts ({@code claim}: stored, or a repeat of an earlier run). When its turn
   * comes it moves from created to running in the database first, so that a restart never runs it twice; a run
   * cancelled while it waited does not start.
   */
  private void enqueue(Step req, RunControl control, Future<Claimed> claim, Promise<RunAccepted> accepted) {
    control.queued = true;
    live.put(req.runId(), control);
    claim.onComplete(ar -> {
      if (ar.failed() || ar.result().existing()) {
        live.remove(req.runId(), control);
      }
      if (ar.failed()) {
        accepted.tryFail(ar.cause());
      } else if (ar.result().existing() || req.async()) {
        accepted.tryComplete(new RunAccepted(ar.result().run(), ar.result().existing()));
      }
    });
    mailbox.submit(req.agentId(), () -> claim.compose(claimed -> {
      if (claimed.existing()) {
        return Future.succeededFuture();
      }
      return runs.start(req.runId()).compose(started -> {
        control.queued = false;
        if (!started) {
          live.remove(req.runId(), control);
          return Future.succeededFuture(); // cancelled while it waited: its end is stored and announced
        }
        Run c = claimed.run();
        Run running = Run.open(c.id(), c.agentId(), c.userId(), Run.RUNNING, c.idempotencyKey(), c.request(),
            c.createdAt());
        return execute(req, control, running, true, accepted);
      });
    }));
  }

  /** Runs a send whose turn has come; completes when the run has ended and its end is announced. */
  private Future<Void> execute(Step req, RunControl control, Run run, boolean rowStored,
      Promise<RunAccepted> accepted) {
    RunOutbox outbox = new RunOutbox(req.runId());
    return runtime(req.userId(), req.agentId()).compose(rt -> {
      if (!llmConfigured) {
        return Future.failedFuture(new ApiException(ErrorKind.UNAVAILABLE, NO_LLM));
      }
      ContextBudget.refuseOversized(rt, deps, req);
      accepted.tryComplete(new RunAccepted(run, false));
      return new StepLoop(rt, req, deps, outbox::event, outbox::delta, control, run, rowStored).run();
    }).transform(ar -> {
      live.remove(req.runId(), control);
      if (ar.succeeded()) {
        outbox.flush();
        outbox.publish(RunFinished.of(ar.result()));
        return Future.succeededFuture();
      }
      ApiException e = ApiException.from(ar.cause());
      boolean refused = accepted.tryFail(e);
      if (refused && !rowStored) {
        return Future.succeededFuture(); // the client was told; nothing was stored
      }
      // a stored run that could not start (its client may be gone: the row says why), or a run whose end could not
      // be written: tell whoever follows it
      return runs.fail(req.runId(), e.status(), e.getMessage()).transform(v -> {
        outbox.flush();
        outbox.publish(new RunFinished(null, 0, e.status(), e.getMessage(), Run.FAILED, Run.STOP_ERROR, 0));
        return Future.succeededFuture();
      });
    });
  }

  /**
   * Cancels runs of an agent: a queued one does not start (one stored first is cancelled in the database at once), a
   * running one stops at its next step boundary with stop reason {@code cancelled}. Runs named that are not queued or
   * running here answer {@code not_found} or the status they ended with.
   */
  Future<Cancelled> cancel(CancelRuns req) {
    return owner(req.userId(), req.agentId()).compose(v -> {
      List<String> ids = new ArrayList<>(req.runIds());
      if (ids.isEmpty()) {
        live.values().stream().filter(c -> c.agentId.equals(req.agentId())).forEach(c -> ids.add(c.runId));
      }
      Map<String, String> results = new LinkedHashMap<>();
      List<Future<?>> pending = new ArrayList<>();
      for (String id : ids) {
        RunControl control = live.get(id);
        if (control != null && control.agentId.equals(req.agentId())) {
          control.cancel();
          results.put(id, Run.CANCELLED);
          if (control.queued) {
            pending.add(runs.cancelQueued(id).onSuccess(changed -> {
              if (changed) {
                live.remove(id, control);
                new RunOutbox(id).publish(new RunFinished(LlmReply.Usage.NONE, 0, 0, null, Run.CANCELLED,
                    Run.STOP_CANCELLED, 0));
              }
            }));
          }
        } else {
          results.put(id, "not_found");
          pending.add(runs.get(req.userId(), id).onSuccess(run -> {
            if (run.agentId().equals(req.agentId())) {
              results.put(id, run.status());
            }
          }));
        }
      }
      return Future.join(pending).transform(done -> Future.succeededFuture(new Cancelled(results)));
    });
  }

  /** Succeeds when the agent is the user's (404 otherwise), without waiting behind its mailbox. */
  private Future<Void> owner(String userId, String agentId) {
    AgentRuntime cached = cache.get(agentId);
    if (cached != null) {
      return cached.agent.userId().equals(userId) ? Future.succeededFuture() : notFound(agentId);
    }
    return deps.store().loadAgent(agentId).compose(loaded -> loaded.agent() != null
        && loaded.agent().userId().equals(userId) ? Future.succeededFuture() : notFound(agentId));
  }

  /**
   * Where a run's messages go, published to whoever follows it. What arrives in one event-loop turn is gathered and
   * sent at the end of the turn (a step emits several events at once), in order, as {@link RunDeltas} and
   * {@link RunEvents}; {@link #flush} sends what waits at once, before the run's last message.
   */
  private final class RunOutbox {
    private final String address;
    private final List<Object> pending = new ArrayList<>();

    RunOutbox(String runId) {
      this.address = runEvents(runId);
    }

    void event(StepEvent e) {
      add(e);
    }

    void delta(StepDelta d) {
      add(d);
    }

    private void add(Object item) {
      if (pending.isEmpty()) {
        deps.vertx().getOrCreateContext().runOnContext(v -> flush());
      }
      pending.add(item);
    }

    void flush() {
      int i = 0;
      while (i < pending.size()) {
        boolean events = pending.get(i) instanceof StepEvent;
        int j = i;
        while (j < pending.size() && pending.get(j) instanceof StepEvent == events) {
          j++;
        }
        List<Object> run = pending.subList(i, j);
        publish(events ? new RunEvents(run.stream().map(StepEvent.class::cast).toList())
            : new RunDeltas(run.stream().map(StepDelta.class::cast).toList()));
        i = j;
      }
      pending.clear();
    }

    void publish(RunMessage message) {
      deps.vertx().eventBus().publish(address, message);
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

  /**
   * The agent for a check made outside its mailbox (a stored-first send's acceptance): the cached runtime, or one
   * loaded for the check and not kept (a second cached runtime beside one a mailbox task holds would diverge from it).
   */
  private Future<AgentRuntime> peek(String userId, String agentId) {
    if (Ids.parse(agentId) == null) {
      return notFound(agentId);
    }
    AgentRuntime cached = cache.get(agentId);
    if (cached != null) {
      return cached.agent.userId().equals(userId) ? Future.succeededFuture(cached) : notFound(agentId);
    }
    return deps.store().loadAgent(agentId).compose(loaded -> loaded.agent() == null
        || !loaded.agent().userId().equals(userId) ? notFound(agentId)
        : Future.succeededFuture(new AgentRuntime(loaded.agent(), loaded.inContext(), loaded.recallCount(),
            loaded.archivalCount())));
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
