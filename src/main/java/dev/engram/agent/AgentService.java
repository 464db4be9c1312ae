package dev.engram.agent;

import dev.engram.agent.AgentProtocol.*;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.model.Agent;
import dev.engram.model.Message;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The operations of the agents of one shard besides their runs ({@link RunService}) and conversations
 * ({@link ConversationService}): create, read, memory and block edits, tools, settings, the context window, reset,
 * rename, delete and the /api commands. Each runs in the agent's own thread's mailbox on its runtime
 * ({@link Runtimes}); a change of what all its threads share reaches its conversations ({@link Runtimes#agentChanged}).
 */
final class AgentService {
  /** Letters of any language, digits, spaces, '_', '-' and apostrophes (Letta's rule), at most 50 of them. */
  private static final Pattern NAME = Pattern.compile("^[\\p{L}\\p{N} _'-]{1,50}$");
  /** How often a generated name is drawn again when the user already has an agent of that name. */
  private static final int NAME_DRAWS = 8;

  private final AgentDeps deps;
  private final Runtimes runtimes;
  private final RunService runs;
  private final CommandRunner commands = new CommandRunner();
  private final NewAgents newAgents;
  private final AgentChanges changes;

  AgentService(AgentDeps deps, Runtimes runtimes, AgentChanges changes, RunService runs) {
    this.deps = deps;
    this.runtimes = runtimes;
    this.runs = runs;
    this.newAgents = new NewAgents(deps);
    this.changes = changes;
  }

  private <T> Future<T> inMailbox(String agentId, Supplier<Future<T>> task) {
    return runtimes.mailbox.submit(agentId, task);
  }

  /**
   * Creates an agent: its blocks and tools as planned by {@link NewAgents}, and its first messages (the boot sequence,
   * or an imported history). A generated name that is taken is drawn again.
   */
  Future<AgentView> create(CreateAgent req) {
    return inMailbox(req.agentId(), () -> {
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
        runtimes.put(rt);
        return view(rt);
      });
    }).recover(e -> draws > 1 && isNameTaken(e) ? create(req, Names.random(), draws - 1) : Future.failedFuture(e));
  }

  private static boolean isNameTaken(Throwable e) {
    ApiException api = ApiException.from(e);
    return api.kind() == ErrorKind.CONFLICT && api.getMessage().startsWith("An agent named");
  }

  Future<AgentView> get(GetAgent req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId()).compose(this::view));
  }

  Future<MemoryChange> updateMemory(EditCoreMemory req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId())
        .compose(rt -> changes.setValues(rt, req.values())));
  }

  Future<EditedBlock> editBlock(EditBlock req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId())
        .compose(rt -> changes.editBlock(rt, req.label(), req.patch())).map(EditedBlock::new));
  }

  Future<AgentView> linkBlock(LinkBlock req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId())
        .compose(rt -> changes.linkBlock(rt, req.blockId(), req.attach()).compose(v -> shared(rt))));
  }

  Future<AgentView> linkTool(LinkTool req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId())
        .compose(rt -> changes.linkTool(rt, req.toolName(), req.attach()).compose(v -> shared(rt))));
  }

  Future<AgentView> update(UpdateAgent req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId())
        .compose(rt -> changes.update(rt, req.patch()))
        .compose(rt -> {
          runtimes.put(rt); // a new model comes with a new runtime (its tokenizer)
          return shared(rt);
        }));
  }

  /** What all threads share changed through {@code rt}: the agent's conversations take it; answers the view. */
  private Future<AgentView> shared(AgentRuntime rt) {
    runtimes.agentChanged(rt.agent);
    return view(rt);
  }

  Future<ContextWindow> context(GetContext req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId()).map(changes::context));
  }

  Future<AgentView> reset(ResetMessages req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId())
        .compose(rt -> changes.reset(rt, req.addInitialMessages()).compose(v -> view(rt))));
  }

  Future<AgentView> rename(Rename req) {
    return inMailbox(req.agentId(), () -> {
      validateName(req.name());
      return runtimes.agent(req.userId(), req.agentId()).compose(rt -> {
        if (rt.agent.name().equals(req.name())) {
          return view(rt);
        }
        Agent renamed = rt.agent.withName(req.name());
        return rt.save(deps, renamed, List.of()).compose(v -> {
          rt.agent = renamed;
          return shared(rt);
        });
      });
    });
  }

  /** Deletes the agent with its conversations; their runs in progress are cancelled (their next write fails). */
  Future<AgentDeleted> delete(DeleteAgent req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId())
        .compose(rt -> deps.store().deleteAgent(rt.agent.id()))
        .map(done -> {
          runs.cancelAll(req.agentId(), null);
          runtimes.forgetAgent(req.agentId());
          return new AgentDeleted();
        }));
  }

  Future<CommandResult> command(Command req) {
    return inMailbox(req.agentId(), () -> runtimes.agent(req.userId(), req.agentId())
        .compose(rt -> commands.run(rt, req.command(), deps)));
  }

  /** The agent as the API shows it, with a fresh archival count (sources may have been attached meanwhile). */
  private Future<AgentView> view(AgentRuntime rt) {
    return deps.archival().count(rt.agent.userId(), rt.agent.id()).map(n -> {
      rt.archivalCount = n;
      return new AgentView(rt.agent, rt.system(), rt.recallCount, n, List.copyOf(rt.context));
    });
  }

  static void validateName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiException.badRequest("Agent name must be 1 to 50 characters of letters, digits, spaces, '_', '-' or"
          + " apostrophes");
    }
  }
}
