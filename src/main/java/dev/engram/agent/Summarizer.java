package dev.engram.agent;

import dev.engram.llm.LlmClient;
import dev.engram.llm.LlmReply;
import dev.engram.llm.LlmRequest;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import io.vertx.core.Future;
import java.time.ZoneId;
import java.util.List;

/**
 * Frees context space: the oldest part of the context (after the system message, keeping the last few messages) is
 * replaced by a model-written summary. The summarised messages stay in recall memory.
 */
final class Summarizer {
  static final int KEEP_LAST = 3;
  static final double SUMMARIZE_FRACTION = 0.75;

  private final LlmClient llm;

  Summarizer(LlmClient llm) {
    this.llm = llm;
  }

  /** Index of the first message kept: messages [1, cutoff) are summarised. Returns 1 when nothing can be. */
  static int cutoff(List<Message> context, int budgetTokens) {
    int candidatesEnd = context.size() - KEEP_LAST;
    if (candidatesEnd <= 1) {
      return 1;
    }
    long total = 0;
    for (int i = 1; i < context.size(); i++) {
      total += context.get(i).tokens();
    }
    long target = (long) (total * SUMMARIZE_FRACTION);
    long acc = 0;
    int cut = 1;
    while (cut < candidatesEnd && (acc <= target || acc == 0)) {
      acc += context.get(cut).tokens();
      cut++;
    }
    // the transcript sent to the summariser must itself fit
    while (cut > 2 && acc > budgetTokens) {
      cut--;
      acc -= context.get(cut).tokens();
    }
    // never keep a tool result without the call it answers
    while (cut < context.size() && Message.TOOL.equals(context.get(cut).role())) {
      cut++;
    }
    return Math.min(cut, context.size());
  }

  /** Summarises in place; returns the usage of the summary call and adds the summary message to {@code added}. */
  Future<LlmReply.Usage> summarize(AgentRuntime rt, ZoneId zone, List<Message> added) {
    int window = rt.agent.contextWindow();
    int cut = cutoff(rt.context, (int) (window * SUMMARIZE_FRACTION));
    if (cut <= 2) {
      return Future.failedFuture(new ApiException(ErrorKind.UNPROCESSABLE, "The context window ("
          + window + " tokens) is too small for this agent's system prompt, core memory and latest messages;"
          + " raise LLM_CONTEXT_WINDOW or shorten core memory"));
    }
    List<Message> hidden = List.copyOf(rt.context.subList(1, cut));
    var now = Times.now();
    Message transcript = rt.requestOnly(Message.USER, transcript(hidden), now);
    Message instructions = rt.requestOnly(Message.SYSTEM, Templates.SUMMARY_PROMPT, now);
    var request = new LlmRequest(rt.agent.model(), List.of(instructions, transcript), List.of(), rt.agent.userId());
    return llm.complete(request).map(reply -> {
      String summary = reply.content() == null ? "" : reply.content().strip();
      long totalMessages = rt.recallCount + added.size();
      String note = "Note: prior messages (" + hidden.size() + " of " + totalMessages + " total messages) have been"
          + " hidden from view due to conversation memory constraints.\nThe following is a summary of the previous "
          + hidden.size() + " messages:\n " + summary;
      Message summaryMessage = rt.newMessage(Message.USER, Inputs.systemAlert(note, Times.now(), zone), null,
          List.of(), null, Times.now());
      rt.context.subList(1, cut).clear();
      rt.context.add(1, summaryMessage);
      added.add(summaryMessage);
      rt.agent = rt.agent.withContext(rt.contextIds(), false, rt.agent.lastRunAt());
      return reply.usage();
    });
  }

  private static String transcript(List<Message> messages) {
    StringBuilder out = new StringBuilder();
    for (Message m : messages) {
      out.append(m.role()).append(": ").append(m.text() == null ? "" : m.text());
      for (ToolCall call : m.toolCalls()) {
        out.append(" [called ").append(call.name()).append(' ').append(call.arguments()).append(']');
      }
      out.append('\n');
    }
    return out.toString();
  }
}
