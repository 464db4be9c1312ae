package dev.engram.agent;

import dev.engram.agent.AgentProtocol.Step;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Times;
import dev.engram.model.Message;
import dev.engram.model.RunRequest;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * How an agent's context window is shared: room kept free for the model's reply, the system message (instructions
 * and core memory), the tool schemas, room for a summary of older messages, and what is left for the messages
 * themselves. One message may take at most that last part, so that whatever came before it can always be summarised
 * away: a longer one is refused before it is stored, and never bricks the agent.
 */
final class ContextBudget {
  /** Room for the summary note that replaces older messages (the summary prompt asks for fewer than 100 words). */
  static final int SUMMARY_RESERVE = 256;

  private ContextBudget() {}

  /** Tokens a prompt may use: the window less room for the reply (an eighth of it, at most 1,024). */
  static int prompt(int window) {
    return window - Math.min(1024, window / 8);
  }

  /** Tokens left for messages after the system message, the tool schemas and a summary. */
  static int messages(AgentRuntime rt, AgentDeps deps) {
    return prompt(rt.agent.contextWindow()) - rt.context.get(0).tokens() - rt.toolTokens(deps) - SUMMARY_RESERVE;
  }

  /** The envelope a sent message reaches the model in: a user message, or a system alert for role system. */
  static String envelope(RunRequest.Input input, Instant at, ZoneId zone) {
    return "system".equals(input.role())
        ? Inputs.systemAlert(input.text(), at, zone)
        : Inputs.userMessage(input.text(), at, zone);
  }

  /** Refuses (422, with the limit in tokens) a send with a message that would not fit besides everything else. */
  static void refuseOversized(AgentRuntime rt, AgentDeps deps, Step request) {
    for (RunRequest.Input input : request.request().inputs()) {
      refuseOversized(rt, deps, input);
    }
  }

  /** Refuses (422, with the limit in tokens) a stored message edited to be longer than one message may be. */
  static void refuseOversized(AgentRuntime rt, AgentDeps deps, Message edited) {
    int limit = messages(rt, deps);
    if (edited.tokens() > limit) {
      throw ApiException.unprocessable("The edited message would be " + edited.tokens() + " tokens long; this agent"
          + " takes at most " + limit + " tokens per message (its context window of " + rt.agent.contextWindow()
          + " tokens also holds the system prompt, core memory, tools and the reply)");
    }
  }

  private static void refuseOversized(AgentRuntime rt, AgentDeps deps, RunRequest.Input input) {
    int limit = messages(rt, deps);
    int tokens = rt.tokens.message(envelope(input, Times.now(), deps.zone()), List.of());
    if (tokens <= limit) {
      return;
    }
    int text = rt.tokens.text(input.text());
    int maxText = limit - (tokens - text);
    int window = rt.agent.contextWindow();
    if (maxText <= 0) {
      throw ApiException.unprocessable("This agent's context window (" + window + " tokens) has no room for a"
          + " message besides its system prompt, core memory and tools; shorten core memory or raise"
          + " LLM_CONTEXT_WINDOW");
    }
    throw ApiException.unprocessable("The message is " + text + " tokens long; this agent takes at most " + maxText
        + " tokens per message (its context window of " + window + " tokens also holds the system prompt, core"
        + " memory, tools and the reply). Send it in parts, or store it with POST /api/agents/{agent_id}/archival");
  }
}
