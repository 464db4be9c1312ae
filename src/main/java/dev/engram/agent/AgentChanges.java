package dev.engram.agent;

import dev.engram.agent.AgentProtocol.AgentPatch;
import dev.engram.agent.AgentProtocol.ContextWindow;
import dev.engram.agent.AgentProtocol.MemoryChange;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Times;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.ToolRules;
import dev.engram.store.BlockProtocol.BlockPatch;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The changes of an agent besides its steps: core memory (by label, attach and detach of blocks), tools, settings,
 * the context reset, and the context window's breakdown. Each runs inside the agent's mailbox on its runtime, and a
 * change of what the system prompt shows writes a new system message (kept in recall, like MemGPT's swaps).
 */
final class AgentChanges {
  private final AgentDeps deps;

  AgentChanges(AgentDeps deps) {
    this.deps = deps;
  }

  /** New values of blocks by label: all are checked before any is written; each write is safe under sharing. */
  Future<MemoryChange> setValues(AgentRuntime rt, Map<String, String> values) {
    CoreMemory before = rt.agent.memory();
    for (var e : values.entrySet()) {
      Block b = before.block(e.getKey());
      Block.checkFits(b.label(), e.getValue(), b.limit());
    }
    Future<CoreMemory> written = Future.succeededFuture(before);
    for (var e : values.entrySet()) {
      written = written.compose(memory -> BlockEdits.apply(deps.blocks(), rt.agent.userId(),
          memory.block(e.getKey()), current -> e.getValue(), false, deps.fence(rt.agent.id())).map(memory::with));
    }
    return written.compose(after -> memoryChanged(rt, after).map(v -> new MemoryChange(before, after)));
  }

  /** Letta's PATCH of a block by label: any of its fields; an unknown label is a 404. */
  Future<Block> editBlock(AgentRuntime rt, String label, BlockPatch patch) {
    Block block = rt.agent.memory().find(label);
    if (block == null) {
      return Future.failedFuture(ApiException.notFound("No block with label '" + label + "' found for agent '"
          + rt.agent.id() + "'"));
    }
    return deps.blocks().update(rt.agent.userId(), block.id(), patch)
        .compose(updated -> memoryChanged(rt, rt.agent.memory().with(updated)).map(updated));
  }

  /** Attaches one of the user's blocks (404 if it is not theirs, 409 if its label is taken) or detaches one. */
  Future<Void> linkBlock(AgentRuntime rt, String blockId, boolean attach) {
    List<String> ids = new ArrayList<>(rt.agent.memory().blocks().stream().map(Block::id).toList());
    boolean present = ids.contains(blockId);
    if (attach == present) {
      // nothing to change; a detach of an unknown block still says so
      return present ? Future.succeededFuture()
          : deps.blocks().get(rt.agent.userId(), blockId).mapEmpty();
    }
    if (attach) {
      ids.add(blockId);
    } else {
      ids.remove(blockId);
    }
    return setBlocks(rt, ids);
  }

  private Future<Void> setBlocks(AgentRuntime rt, List<String> blockIds) {
    return deps.blocks().setAgentBlocks(rt.agent.userId(), rt.agent.id(), blockIds)
        .compose(blocks -> memoryChanged(rt, new CoreMemory(blocks)));
  }

  /** Attaches or detaches a tool; the next model call sends the new list. */
  Future<Void> linkTool(AgentRuntime rt, String name, boolean attach) {
    List<String> tools = new ArrayList<>(rt.agent.tools());
    if (attach == tools.contains(name)) {
      return Future.succeededFuture();
    }
    if (attach) {
      tools.add(name);
    } else {
      tools.remove(name);
    }
    Agent.Settings s = rt.agent.settings();
    return saveSettings(rt, new Agent.Settings(s.name(), s.description(), s.metadata(), s.tags(), s.system(), tools,
        s.model(), s.contextWindow(), s.embedding(), s.timezone(), s.toolRules()));
  }

  /**
   * Letta's update: the given settings change; {@code blockIds} replace the agent's blocks. The block ids are checked
   * before anything is written, so an unknown one changes nothing.
   */
  Future<AgentRuntime> update(AgentRuntime rt, AgentPatch p) {
    Agent.Settings s = rt.agent.settings();
    if (p.name() != null && !p.name().equals(s.name())) {
      AgentService.validateName(p.name());
    }
    if (p.approval() != null && !s.tools().contains(p.approval().tool())) {
      return Future.failedFuture(ApiException.notFound("Tool " + p.approval().tool() + " is not attached to agent"
          + " agent-" + rt.agent.id()));
    }
    Agent.Settings next = new Agent.Settings(or(p.name(), s.name()), or(p.description(), s.description()),
        or(p.metadata(), s.metadata()), or(p.tags(), s.tags()), or(p.system(), s.system()),
        or(p.toolNames(), s.tools()), or(p.model(), s.model()), or(p.contextWindow(), s.contextWindow()),
        or(p.embedding(), s.embedding()), or(p.timezone(), s.timezone()), rules(p, s.toolRules()));
    Future<Void> blocksChecked = p.blockIds() == null ? Future.succeededFuture()
        : deps.blocks().byIds(rt.agent.userId(), p.blockIds()).compose(blocks -> {
          Set<String> labels = new HashSet<>();
          for (Block b : blocks) {
            if (!labels.add(b.label())) {
              return Future.failedFuture(ApiException.conflict("An agent cannot have two blocks labelled '"
                  + b.label() + "'"));
            }
          }
          return Future.succeededFuture();
        });
    boolean systemChanged = !Objects.equals(next.system(), s.system());
    boolean modelChanged = !next.model().equals(s.model());
    return blocksChecked.compose(v -> saveSettings(rt, next))
        .compose(v -> p.blockIds() == null ? Future.succeededFuture() : setBlocks(rt, p.blockIds()))
        .compose(v -> systemChanged ? rebuildSystem(rt) : Future.succeededFuture())
        .map(v -> modelChanged ? rt.withModel() : rt);
  }

  /** The agent's rules after a patch: replaced by {@code tool_rules}, then approval of one tool switched. */
  private static ToolRules rules(AgentPatch p, ToolRules current) {
    ToolRules next = p.toolRules() == null ? current : current.withRules(p.toolRules());
    return p.approval() == null ? next : next.withApproval(p.approval().tool(), p.approval().required());
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }

  private Future<Void> saveSettings(AgentRuntime rt, Agent.Settings settings) {
    Agent changed = rt.agent.withSettings(settings, Times.now());
    return deps.store().updateAgentSettings(changed).map(done -> {
      rt.agent = changed;
      return null;
    });
  }

  /** The context window reduced to a new system message (and the boot messages when asked); recall keeps all. */
  Future<Void> reset(AgentRuntime rt, boolean addInitialMessages) {
    Instant now = Times.now();
    List<Message> messages = new ArrayList<>();
    messages.add(systemMessage(rt, deps, rt.recallCount, now));
    if (addInitialMessages) {
      messages.addAll(NewAgents.bootMessages(rt, now, deps.zone()));
    }
    Agent agent = rt.agent.withContext(messages.stream().map(Message::id).toList(), false, rt.agent.lastRunAt());
    return rt.save(deps, agent, messages).map(v -> {
      rt.agent = agent;
      rt.context.clear();
      rt.context.addAll(messages);
      rt.recallCount += messages.size();
      return null;
    });
  }

  /** Letta's ContextWindowOverview of the agent as it is now. */
  ContextWindow context(AgentRuntime rt) {
    String instructions = Templates.instructions(rt.agent);
    String core = SystemPrompt.coreMemory(rt.agent.memory());
    String system = rt.system();
    String head = instructions + "\n\n\n";
    String external = system.startsWith(head) && system.endsWith(core)
        && system.length() >= head.length() + core.length()
        ? system.substring(head.length(), system.length() - core.length())
        : SystemPrompt.externalSummary(rt.recallCount, rt.archivalCount, Times.now(), deps.zone());
    List<Message> messages = rt.context.size() > 1 ? List.copyOf(rt.context.subList(1, rt.context.size())) : List.of();
    int messageTokens = messages.stream().mapToInt(Message::tokens).sum();
    int toolTokens = rt.toolTokens(deps);
    int systemTokens = rt.context.isEmpty() ? 0 : rt.context.get(0).tokens();
    return new ContextWindow(rt.agent.contextWindow(), systemTokens + messageTokens + toolTokens, rt.archivalCount,
        rt.recallCount, instructions, rt.tokens.text(instructions), external, rt.tokens.text(external), core,
        rt.tokens.text(core), rt.agent.tools(), toolTokens, messages, messageTokens);
  }

  /** Takes {@code memory} as the agent's and rebuilds the system message when what it shows changed. */
  Future<Void> memoryChanged(AgentRuntime rt, CoreMemory memory) {
    String before = SystemPrompt.coreMemory(rt.agent.memory());
    rt.agent = rt.agent.withMemory(memory);
    return before.equals(SystemPrompt.coreMemory(memory)) ? Future.succeededFuture() : rebuildSystem(rt);
  }

  /** Writes a new system message from the agent's instructions and memory, in place of the one in context. */
  Future<Void> rebuildSystem(AgentRuntime rt) {
    Message system = systemMessage(rt, deps, rt.recallCount, Times.now());
    List<Message> context = new ArrayList<>(rt.context);
    if (context.isEmpty()) {
      context.add(system);
    } else {
      context.set(0, system);
    }
    Agent saved = rt.agent.withContext(context.stream().map(Message::id).toList(), rt.agent.memoryAlerted(),
        rt.agent.lastRunAt());
    return rt.save(deps, saved, List.of(system)).map(v -> {
      rt.agent = saved;
      rt.context.clear();
      rt.context.addAll(context);
      rt.recallCount += 1;
      return null;
    });
  }

  /** A system message compiled from the agent's instructions and memory, with these sizes of recall and archival. */
  static Message systemMessage(AgentRuntime rt, AgentDeps deps, long recallCount, Instant now) {
    String text = SystemPrompt.compile(Templates.instructions(rt.agent), rt.agent.memory(), recallCount,
        rt.archivalCount, now, deps.zone());
    return rt.newMessage(Message.SYSTEM, text, null, List.of(), null, now);
  }
}
