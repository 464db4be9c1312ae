package dev.engram.agent;

import dev.engram.agent.AgentProtocol.CommandResult;
import dev.engram.kernel.ApiException;
import dev.engram.model.Message;
import io.vertx.core.Future;
import java.util.List;

/** The slash commands of the MemGPT CLI that make sense on a server: memory, dump, pop, save. */
final class CommandRunner {
  private static final List<String> KNOWN = List.of("memory", "dump [n]", "pop [n]", "save");

  Future<CommandResult> run(AgentRuntime rt, String raw, AgentDeps deps) {
    String line = raw.strip();
    if (line.startsWith("/")) {
      line = line.substring(1);
    }
    String[] parts = line.split("\\s+", 2);
    String verb = parts[0].toLowerCase();
    String arg = parts.length > 1 ? parts[1].strip() : null;
    return switch (verb) {
      case "memory" -> Future.succeededFuture(new CommandResult(memory(rt)));
      case "dump" -> Future.succeededFuture(new CommandResult(dump(rt, count(arg, rt.context.size()))));
      case "pop" -> pop(rt, count(arg, 3), deps);
      case "save", "savechat" -> Future.succeededFuture(new CommandResult(
          "Agent state is saved after every step; nothing to do."));
      default -> Future.failedFuture(ApiException.unprocessable("Unknown command '" + verb + "'; available: " + KNOWN));
    };
  }

  /** Every block under its capitalised label ("=== Persona ==="), then the sizes of recall and archival memory. */
  private static String memory(AgentRuntime rt) {
    StringBuilder out = new StringBuilder("### CORE MEMORY ###");
    for (var b : rt.agent.memory().blocks()) {
      String label = b.label().substring(0, 1).toUpperCase() + b.label().substring(1);
      out.append("\n=== ").append(label).append(" ===\n").append(b.value()).append('\n');
    }
    return out.append("\n=== Recall memory ===\n").append(rt.recallCount)
        .append(" messages\n\n=== Archival memory ===\n").append(rt.archivalCount).append(" passages").toString();
  }

  private static String dump(AgentRuntime rt, int n) {
    StringBuilder out = new StringBuilder();
    List<Message> ctx = rt.context;
    for (Message m : ctx.subList(Math.max(0, ctx.size() - n), ctx.size())) {
      out.append(m.role()).append(": ").append(m.text() == null ? "" : m.text());
      m.toolCalls().forEach(c -> out.append(" [").append(c.name()).append(' ').append(c.arguments()).append(']'));
      out.append('\n');
    }
    return out.toString().stripTrailing();
  }

  /** Removes the last n messages from the context window (they stay in recall). The system message stays. */
  private static Future<CommandResult> pop(AgentRuntime rt, int n, AgentDeps deps) {
    int removable = Math.min(n, rt.context.size() - 1);
    List<Message> kept = rt.context.subList(0, rt.context.size() - removable);
    var agent = rt.agent.withContext(kept.stream().map(Message::id).toList(), rt.agent.memoryAlerted(),
        rt.agent.lastRunAt());
    return rt.save(deps, agent, List.of()).map(v -> {
      rt.context.subList(kept.size(), rt.context.size()).clear();
      rt.agent = agent;
      return new CommandResult("Popped " + removable + " messages from the context window");
    });
  }

  private static int count(String arg, int fallback) {
    if (arg == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(arg);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.unprocessable("the command's argument must be a positive whole number, got '" + arg + "'");
    }
  }
}
