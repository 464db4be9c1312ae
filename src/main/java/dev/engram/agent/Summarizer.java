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
 * replaced by a model-written summary. The summarised messages stay in recall memory. Whatever the context holds, a
 * summary makes the newest message fit: fewer of the last messages are kept when they do not fit, and a message too
 * long for the summariser's own prompt reaches it cut short (as can exist in contexts stored before messages were
 * limited, see {@link ContextBudget}).
 */
final class Summarizer {
  static final int KEEP_LAST = 3;
  static final double SUMMARIZE_FRACTION = 0.75;

  private final LlmClient llm;

  Summarizer(LlmClient llm) {
    this.llm = llm;
  }

  /**
   * Index of the first message kept: messages [1, cutoff) are summarised. At least three quarters of the messages'
   * tokens go, and enough that the kept ones fit in {@code keptBudget} tokens; of the last {@link #KEEP_LAST}
   * messages, as many are kept as fit (at least the newest). Returns 1 when nothing can be summarised.
   */
  static int cutoff(List<Message> context, int keptBudget) {
    int keep = 1;
    long tail = context.isEmpty() ? 0 : context.get(context.size() - 1).tokens();
    while (keep < KEEP_LAST && context.size() - keep - 1 >= 1
        && tail + context.get(context.size() - keep - 1).tokens() <= keptBudget) {
      tail += context.get(context.size() - keep - 1).tokens();
      keep++;
    }
    int candidatesEnd = context.size() - keep;
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
    while (cut < candidatesEnd && (acc <= target || acc == 0 || total - acc > keptBudget)) {
      acc += context.get(cut).tokens();
      cut++;
    }
    // never keep a tool result without the call it answers
    while (cut < context.size() && Message.TOOL.equals(context.get(cut).role())) {
      cut++;
    }
    return Math.min(cut, context.size());
  }

  /**
   * Summarises in place, so that the messages kept fit in {@code keptBudget} tokens; returns the usage of the summary
   * call and adds the summary message to {@code added}.
   */
  Future<LlmReply.Usage> summarize(AgentRuntime rt, int keptBudget, ZoneId zone, List<Message> added) {
    return summary(rt, keptBudget, zone, added).map(Summary::usage);
  }

  /** What a summary cost, and the model's words. */
  record Summary(LlmReply.Usage usage, String text) {}

  /** As {@link #summarize}, answering the summary's text as well. */
  Future<Summary> summary(AgentRuntime rt, int keptBudget, ZoneId zone, List<Message> added) {
    int window = rt.agent.contextWindow();
    int cut = cutoff(rt.context, keptBudget);
    if (cut <= 1) {
      return Future.failedFuture(new ApiException(ErrorKind.UNPROCESSABLE, "The context window ("
          + window + " tokens) is too small for this agent's system prompt, core memory, tools and latest message;"
          + " raise LLM_CONTEXT_WINDOW or shorten core memory"));
    }
    List<Message> hidden = List.copyOf(rt.context.subList(1, cut));
    var now = Times.now();
    Message transcript = rt.requestOnly(Message.USER, transcript(hidden, (int) (window * SUMMARIZE_FRACTION),
        rt.tokens), now);
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
      return new Summary(reply.usage(), summary);
    });
  }

  /**
   * The messages as "role: text" lines for the summariser, within {@code budget} tokens: when they are longer, each
   * message's text is cut to an equal share of the budget (a summary of fewer than 100 words needs no more).
   */
  static String transcript(List<Message> messages, int budget, TokenCounter tokens) {
    long total = 0;
    for (Message m : messages) {
      total += m.tokens();
    }
    int share = total <= budget ? Integer.MAX_VALUE : Math.max(1, budget / messages.size());
    StringBuilder out = new StringBuilder();
    for (Message m : messages) {
      String text = m.text() == null ? "" : m.text();
      String kept = m.tokens() > share ? tokens.truncate(text, share) : text;
      if (kept.length() < text.length()) {
        text = kept + " [... " + (tokens.text(text) - tokens.text(kept)) + " more tokens cut for this summary]";
      }
      out.append(m.role()).append(": ").append(text);
      for (ToolCall call : m.toolCalls()) {
        out.append(" [called ").append(call.name()).append(' ').append(call.arguments()).append(']');
      }
      out.append('\n');
    }
    return out.toString();
  }
}
