package dev.engram.agent;

import static dev.engram.agent.AgentProtocol.runEvents;

import dev.engram.agent.AgentProtocol.*;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.model.Agent;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The agents of one shard: a cache of their live state and a mailbox that runs each agent's operations one at a time,
 * in arrival order. Every operation checks that the agent belongs to the requesting user (404 otherwise).
 */
final class AgentService {
  private static final int CACHE_LIMIT = 10_000;
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9 _-]{1,50}$");
  static final String NO_LLM = "No LLM is configured: set OPENAI_BASE_URL to an OpenAI-compatible endpoint (and"
      + " OPENAI_API_KEY if it needs one), then restart the server";

  private final AgentDeps deps;
  private final boolean llmConfigured;
  private final AgentMailbox mailbox = new AgentMailbox();
  private final CommandRunner commands = new CommandRunner();
  private final Map<String, AgentRuntime> cache = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, AgentRuntime> eldest) {
      return size() > CACHE_LIMIT && mailbox.idle(eldest.getKey());
    }
  };

  AgentService(AgentDeps deps, boolean llmConfigured) {
    this.deps = deps;
    this.llmConfigured = llmConfigured;
  }

  Future<AgentView> create(CreateAgent req) {
    return mailbox.submit(req.agentId(), () -> {
      validateName(req.name());
      String preset = req.preset() == null ? Templates.DEFAULT_PRESET : req.preset();
      if (Templates.systemPrompt(preset) == null) {
        throw ApiException.unprocessable("Unknown preset '" + preset + "'; available: " + Templates.presets());
      }
      String personaName = req.persona() == null ? Templates.DEFAULT_PERSONA : req.persona();
      String humanName = req.human() == null ? Templates.DEFAULT_HUMAN : req.human();
      CoreMemory memory = new CoreMemory("", "", deps.coreMemoryLimit())
          .with(CoreMemory.PERSONA, Templates.persona(personaName))
          .with(CoreMemory.HUMAN, Templates.human(humanName));
      Instant now = Times.now();
      Agent agent = new Agent(req.agentId(), req.userId(), req.name(), preset,
          Templates.isPersonaTemplate(personaName) ? personaName : null,
          Templates.isHumanTemplate(humanName) ? humanName : null, memory, deps.tools().defaultToolNames(), List.of(),
          false, deps.model(), deps.contextWindow(), now, null);
      AgentRuntime rt = new AgentRuntime(agent, List.of(), 0, 0);
      bootSequence(rt, now);
      rt.agent = rt.agent.withContext(rt.contextIds(), false, null);
      return deps.store().insertAgent(rt.agent, rt.context).compose(done -> {
        rt.recallCount = rt.context.size();
        rt.stored();
        cache.put(agent.id(), rt);
        return view(rt);
      });
    });
  }

  Future<AgentView> get(GetAgent req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId()).compose(this::view));
  }

  Future<MemoryChange> updateMemory(EditCoreMemory req) {
    return mailbox.submit(req.agentId(), () -> runtime(req.userId(), req.agentId()).compose(rt -> {
      CoreMemory before = rt.agent.memory();
      CoreMemory after = before;
      if (req.persona() != null) {
        after = after.with(CoreMemory.PERSONA, req.persona());
      }
      if (req.human() != null) {
        after = after.with(CoreMemory.HUMAN, req.human());
      }
      if (after.equals(before)) {
        return Future.succeededFuture(new MemoryChange(before, after));
      }
      CoreMemory changed = after;
      return persistMemory(rt, changed).map(v -> new MemoryChange(before, changed));
    }));
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

  private Future<Void> persistMemory(AgentRuntime rt, CoreMemory memory) {
    Instant now = Times.now();
    Agent updated = rt.agent.withMemory(memory);
    String text = SystemPrompt.compile(Templates.systemPrompt(updated.preset()), memory, rt.recallCount,
        rt.archivalCount, now, deps.zone());
    Message system = rt.newMessage(Message.SYSTEM, text, null, List.of(), null, now);
    List<Message> context = new ArrayList<>(rt.context);
    context.set(0, system);
    Agent saved = updated.withContext(context.stream().map(Message::id).toList(), updated.memoryAlerted(),
        updated.lastRunAt());
    return rt.save(deps, saved, List.of(system)).map(v -> {
      rt.agent = saved;
      rt.context.set(0, system);
      rt.recallCount += 1;
      return null;
    });
  }

  /** The cached runtime, or the agent loaded from storage; 404 when unknown or another user's. */
  private Future<AgentRuntime> runtime(String userId, String agentId) {
    AgentRuntime cached = cache.get(agentId);
    if (cached != null) {
      return cached.agent.userId().equals(userId) ? Future.succeededFuture(cached) : notFound(agentId);
    }
    return deps.store().loadAgent(agentId).compose(loaded -> {
      if (loaded.agent() == null || !loaded.agent().userId().equals(userId)) {
        return notFound(agentId);
      }
      AgentRuntime rt = new AgentRuntime(loaded.agent(), loaded.inContext(), loaded.recallCount(),
          loaded.archivalCount());
      cache.put(agentId, rt);
      return Future.succeededFuture(rt);
    });
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
      return new AgentView(rt.agent, rt.system(), rt.recallCount, n);
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

  /** The first messages of a new agent: system prompt, a first send_message and its result, and a login event. */
  private void bootSequence(AgentRuntime rt, Instant now) {
    String system = SystemPrompt.compile(Templates.systemPrompt(rt.agent.preset()), rt.agent.memory(), 0,
        rt.archivalCount, now, deps.zone());
    rt.context.add(rt.newMessage(Message.SYSTEM, system, null, List.of(), null, now));
    String callId = UUID.randomUUID().toString();
    String args = new JsonObject().put("message", "More human than human is our motto.").encodePrettily();
    rt.context.add(rt.newMessage(Message.ASSISTANT, "Bootup sequence complete. Persona activated. Testing messaging"
        + " functionality.", null, List.of(new ToolCall(callId, "send_message", args)), null, now));
    rt.context.add(rt.newMessage(Message.TOOL, Inputs.toolResult(true, null, now, deps.zone()), "send_message",
        List.of(), callId, now));
    rt.context.add(rt.newMessage(Message.USER, Inputs.login(now, deps.zone()), null, List.of(), null, now));
  }

  static void validateName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiException.badRequest("Agent name must be 1 to 50 characters of letters, digits, spaces, '_' or '-'");
    }
  }
}
