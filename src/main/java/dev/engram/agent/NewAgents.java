package dev.engram.agent;

import dev.engram.agent.AgentProtocol.CreateAgent;
import dev.engram.agent.AgentProtocol.NewAgent;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Times;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.Preset;
import dev.engram.model.ToolCall;
import dev.engram.model.ToolRules;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns a creation request into the agent to store: its blocks (new ones, and the user's existing ones it names), its
 * tools and settings. The MemGPT /api names a preset, a persona and a human; each is looked up among the user's
 * templates first, then the built-in ones, and a persona or human that names none is its own text.
 */
final class NewAgents {
  private final AgentDeps deps;

  NewAgents(AgentDeps deps) {
    this.deps = deps;
  }

  /** The agent (without messages, named {@code name}) and the blocks to create with it. */
  record Planned(Agent agent, List<Block> newBlocks) {}

  Future<Planned> plan(CreateAgent req, String name) {
    return req.spec().blocks() == null ? memgpt(req, name) : letta(req, name);
  }

  private Future<Planned> memgpt(CreateAgent req, String name) {
    NewAgent s = req.spec();
    String userId = req.userId();
    String presetName = s.preset() == null ? Templates.DEFAULT_PRESET : s.preset();
    Future<Preset> preset = Templates.systemPrompt(presetName) != null ? Future.succeededFuture(null)
        : deps.blocks().findPreset(userId, presetName).compose(p -> p != null ? Future.succeededFuture(p)
            : Future.failedFuture(ApiException.unprocessable("Unknown preset '" + presetName + "'; available: "
                + Templates.presets() + " and your own (GET /api/presets)")));
    return preset.compose(p -> {
      Future<Named> persona = s.persona() != null ? template(userId, CoreMemory.PERSONA, s.persona())
          : Future.succeededFuture(p != null ? new Named(p.persona() == null ? "" : p.persona(), p.personaName())
              : builtIn(CoreMemory.PERSONA, Templates.DEFAULT_PERSONA));
      Future<Named> human = s.human() != null ? template(userId, CoreMemory.HUMAN, s.human())
          : Future.succeededFuture(p != null ? new Named(p.human() == null ? "" : p.human(), p.humanName())
              : builtIn(CoreMemory.HUMAN, Templates.DEFAULT_HUMAN));
      return Future.all(persona, human).map(both -> {
        Instant now = Times.now();
        Named personaText = both.resultAt(0);
        Named humanText = both.resultAt(1);
        int limit = deps.coreMemoryLimit();
        List<Block> blocks = List.of(
            newBlock(userId, CoreMemory.PERSONA, personaText.text(), limit, now),
            newBlock(userId, CoreMemory.HUMAN, humanText.text(), limit, now));
        List<String> tools = p == null ? deps.tools().defaultToolNames() : presetTools(p);
        Agent agent = new Agent(req.agentId(), userId, name, null, null, Map.of(), List.of(), presetName,
            personaText.template(), humanText.template(), p == null ? null : p.system(), new CoreMemory(blocks), tools,
            List.of(), false, deps.model(), deps.contextWindow(), null, deps.zone().getId(), now, now, null, null);
        return new Planned(agent, blocks);
      });
    });
  }

  private Future<Planned> letta(CreateAgent req, String name) {
    NewAgent s = req.spec();
    List<String> existingIds = s.blockIds() == null ? List.of() : s.blockIds();
    Future<List<Block>> existing = existingIds.isEmpty() ? Future.succeededFuture(List.of())
        : deps.blocks().byIds(req.userId(), existingIds);
    return existing.map(found -> {
      List<Block> all = new ArrayList<>(s.blocks());
      all.addAll(found);
      Set<String> labels = new HashSet<>();
      for (Block b : all) {
        if (!labels.add(b.label())) {
          throw ApiException.unprocessable("An agent cannot have two blocks labelled '" + b.label()
              + "' (memory_blocks and block_ids together)");
        }
      }
      Instant now = Times.now();
      Agent agent = new Agent(req.agentId(), req.userId(), name, s.agentType(), s.description(), s.metadata(),
          s.tags(), Templates.DEFAULT_PRESET, null, null, s.system(), new CoreMemory(all),
          s.tools() == null ? deps.tools().defaultToolNames() : s.tools(), List.of(), false,
          s.model() == null ? deps.model() : s.model(),
          s.contextWindow() == null ? deps.contextWindow() : s.contextWindow(), s.embedding(),
          s.timezone() == null ? deps.zone().getId() : s.timezone(), now, now, null,
          new ToolRules(s.toolRules(), List.of()));
      return new Planned(agent, s.blocks());
    });
  }

  /** A text with the template name it came from (null when it was given as text). */
  private record Named(String text, String template) {}

  private Future<Named> template(String userId, String label, String nameOrText) {
    return deps.blocks().findTemplate(userId, label, nameOrText).map(own -> {
      if (own != null) {
        return new Named(own.value(), nameOrText);
      }
      Block builtIn = Templates.builtInBlock(label, nameOrText);
      return builtIn != null ? new Named(builtIn.value(), nameOrText) : new Named(nameOrText, null);
    });
  }

  private static Named builtIn(String label, String name) {
    return new Named(Templates.builtInBlock(label, name).value(), name);
  }

  /** The known tools among a preset's function schemas, in its order; the default tools when it names none. */
  private List<String> presetTools(Preset p) {
    List<String> names = new ArrayList<>();
    for (Map<String, Object> f : p.functionsSchema()) {
      Object n = f.get("name");
      if (n instanceof String s && deps.tools().has(s) && !names.contains(s)) {
        names.add(s);
      }
    }
    return names.isEmpty() ? deps.tools().defaultToolNames() : List.copyOf(names);
  }

  private static Block newBlock(String userId, String label, String value, int limit, Instant now) {
    Block.checkFits(label, value, limit);
    return new Block(UUID.randomUUID().toString(), userId, label, value, limit, null, Map.of(), false, false, null,
        List.of(), 1, now, now);
  }

  /**
   * The first messages of a new agent, put in its context: the messages to store. A created agent boots (system
   * message, then for a MemGPT agent a first send_message and its result, a login event); an imported one brings its history, all stored,
   * those in context put there in order, and a system message compiled from its blocks when its context has none.
   */
  List<Message> firstMessages(AgentRuntime rt, NewAgent spec) {
    Instant now = rt.agent.createdAt();
    if (spec.messages() == null) {
      rt.context.add(AgentChanges.systemMessage(rt, deps, 0, now));
      rt.context.addAll(bootMessages(rt, now, deps.zone()));
      return List.copyOf(rt.context);
    }
    List<Message> messages = new ArrayList<>(spec.messages());
    Map<String, Message> byId = new HashMap<>();
    messages.forEach(m -> byId.put(m.id(), m));
    for (String id : spec.inContextIds() == null ? List.<String>of() : spec.inContextIds()) {
      Message m = byId.get(id);
      if (m != null) {
        rt.context.add(m);
      }
    }
    if (rt.context.isEmpty() || !Message.SYSTEM.equals(rt.context.get(0).role())) {
      Message system = AgentChanges.systemMessage(rt, deps, messages.size(), now);
      rt.context.add(0, system);
      messages.add(system);
    }
    return messages;
  }

  /**
   * The boot messages after the system message: a first send_message and its result, and a login event; none for an
   * agent that speaks in plain text (Letta's letta_v1_agent starts with its system message alone, and a send_message
   * call would show the model a tool it does not have).
   */
  static List<Message> bootMessages(AgentRuntime rt, Instant now, ZoneId zone) {
    if (rt.agent.speaksInText()) {
      return List.of();
    }
    String callId = UUID.randomUUID().toString();
    String args = new JsonObject().put("message", "More human than human is our motto.").encodePrettily();
    return List.of(
        rt.newMessage(Message.ASSISTANT, "Bootup sequence complete. Persona activated. Testing messaging"
            + " functionality.", null, List.of(new ToolCall(callId, "send_message", args)), null, now),
        rt.newMessage(Message.TOOL, Inputs.toolResult(true, null, now, zone), "send_message", List.of(), callId, now),
        rt.newMessage(Message.USER, Inputs.login(now, zone), null, List.of(), null, now));
  }
}
