package dev.engram.agent;

import dev.engram.agent.AgentProtocol.*;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Times;
import dev.engram.model.Conversation;
import dev.engram.model.Message;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The conversations of the agents of one shard, and the operations on any thread that Letta offers on conversations:
 * create, update and delete a conversation; fork a thread into a new conversation, compact it (summarise now) and
 * recompile its system message. Each runs in its thread's mailbox, so it comes after the thread's send in progress.
 */
final class ConversationService {
  private final AgentDeps deps;
  private final Runtimes runtimes;
  private final AgentChanges changes;
  private final RunService runs;

  ConversationService(AgentDeps deps, Runtimes runtimes, AgentChanges changes, RunService runs) {
    this.deps = deps;
    this.runtimes = runtimes;
    this.changes = changes;
    this.runs = runs;
  }

  private <T> Future<T> inMailbox(String agentId, String conversationId, Supplier<Future<T>> task) {
    return runtimes.mailbox.submit(AgentRuntime.threadKey(agentId, conversationId), task);
  }

  /**
   * Starts a conversation from the agent as it now is: its context is a new system message (Letta's conversations
   * start without the boot messages of an agent).
   */
  Future<ConversationView> create(CreateConversation req) {
    return inMailbox(req.agentId(), req.conversationId(), () -> runtimes.peek(req.userId(), req.agentId(), null)
        .compose(own -> {
          NewConversation spec = req.spec();
          Instant now = Times.now();
          Conversation draft = new Conversation(req.conversationId(), req.agentId(), req.userId(), spec.summary(),
              spec.description(), spec.model(), spec.contextWindow(), spec.hidden(), null, List.of(), false, 0, now,
              now, null);
          return start(draft, own, List.of());
        }).map(ConversationView::new));
  }

  /**
   * Stores a new conversation whose context is a new system message followed by {@code copied} (given new ids), on
   * the agent's shared state as {@code own} (its own thread) holds it, and keeps its runtime.
   */
  private Future<Conversation> start(Conversation draft, AgentRuntime own, List<Message> copied) {
    AgentRuntime rt = new AgentRuntime(draft.applyTo(own.agent), List.of(), 0, own.archivalCount, draft.id());
    Instant now = Times.now();
    rt.context.add(AgentChanges.systemMessage(rt, deps, copied.size(), now));
    for (Message m : copied) {
      rt.context.add(new Message(AgentRuntime.newId(), m.agentId(), m.userId(), m.role(), m.text(), m.name(),
          m.toolCalls(), m.toolCallId(), m.model(), m.tokens(), m.createdAt()));
    }
    rt.recallCount = rt.context.size();
    Conversation c = new Conversation(draft.id(), draft.agentId(), draft.userId(), draft.summary(),
        draft.description(), draft.model(), draft.contextWindow(), draft.hidden(), null, rt.contextIds(), false,
        rt.recallCount, draft.createdAt(), draft.updatedAt(), null);
    rt.agent = c.applyTo(own.agent);
    // the agent's blocks may be older than the store's: this thread then reloads them before its first step
    rt.blocksStale = own.blocksStale;
    return deps.conversations().insert(c, List.copyOf(rt.context)).map(v -> {
      rt.stored();
      runtimes.put(rt);
      return c;
    });
  }

  /**
   * Changes a conversation's description or overrides; a new model or context window is taken at its next operation
   * (its runtime is loaded again).
   */
  Future<ConversationView> update(EditConversation req) {
    return inMailbox(req.agentId(), req.conversationId(), () -> owned(req.userId(), req.agentId(),
        req.conversationId())
        .compose(v -> deps.conversations().update(req.userId(), req.conversationId(), req.patch(), Times.now()))
        .map(c -> {
          if (req.patch().model() != null || req.patch().contextWindow() != null) {
            runtimes.forgetConversation(req.agentId(), req.conversationId());
          }
          return new ConversationView(c);
        }));
  }

  /** Cancels the conversation's runs, then deletes it (after its send in progress stopped at a step boundary). */
  Future<ConversationDeleted> delete(DeleteConversation req) {
    return owned(req.userId(), req.agentId(), req.conversationId()).compose(v -> {
      runs.cancelAll(req.agentId(), req.conversationId());
      return inMailbox(req.agentId(), req.conversationId(), () -> deps.conversations()
          .delete(req.userId(), req.conversationId()).map(done -> {
            runtimes.forgetConversation(req.agentId(), req.conversationId());
            return new ConversationDeleted();
          }));
    });
  }

  /** Succeeds when the conversation is the user's and the agent's (404 otherwise). */
  private Future<Void> owned(String userId, String agentId, String conversationId) {
    return deps.conversations().get(userId, conversationId).compose(c -> c.agentId().equals(agentId)
        ? Future.succeededFuture() : Runtimes.notFound(agentId, conversationId));
  }

  /** A new conversation with a copy of the thread's context (up to a message), after a new system message. */
  Future<ConversationView> fork(ForkThread req) {
    return inMailbox(req.agentId(), req.conversationId(), () -> runtimes.thread(req.userId(), req.agentId(),
        req.conversationId()).compose(source -> {
          List<Message> context = source.context.subList(1, source.context.size());
          if (req.upTo() != null) {
            int at = indexOf(source.context, req.upTo());
            if (at < 0) {
              return Future.failedFuture(ApiException.notFound("Message message_id=" + req.upTo()
                  + " is not in the context of this thread"));
            }
            context = source.context.subList(1, at + 1);
          }
          List<Message> copied = List.copyOf(context);
          Instant now = Times.now();
          Conversation draft = new Conversation(req.newConversationId(), req.agentId(), req.userId(), null, null,
              null, null, req.hidden(), null, List.of(), false, 0, now, now, null);
          return runtimes.peek(req.userId(), req.agentId(), null).compose(own -> start(draft, own, copied));
        }).map(ConversationView::new));
  }

  private static int indexOf(List<Message> context, String messageId) {
    for (int i = 0; i < context.size(); i++) {
      if (context.get(i).id().equals(messageId)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Summarises the thread's older messages now, as a step does when its prompt would not fit: they leave the context
   * (they stay in recall) for a summary; the last few stay.
   */
  Future<Compacted> compact(CompactThread req) {
    return inMailbox(req.agentId(), req.conversationId(), () -> runtimes.thread(req.userId(), req.agentId(),
        req.conversationId()).compose(rt -> {
          int before = rt.context.size();
          int budget = ContextBudget.messages(rt, deps);
          if (Summarizer.cutoff(rt.context, budget) <= 1) {
            return Future.failedFuture(ApiException.badRequest("Nothing to compact: the context holds " + (before
                - 1) + " messages besides the system message, and the last " + Summarizer.KEEP_LAST
                + " are always kept"));
          }
          List<Message> added = new ArrayList<>();
          return deps.summarizer().summary(rt, budget, deps.zone(), added)
              .compose(summary -> rt.save(deps, rt.agent, added).map(v -> {
                rt.recallCount += added.size();
                return new Compacted(summary.text(), before, rt.context.size());
              }));
        }));
  }

  /** The thread's system message compiled anew from the agent's instructions and blocks; written unless a dry run. */
  Future<Recompiled> recompile(RecompileThread req) {
    return inMailbox(req.agentId(), req.conversationId(), () -> runtimes.thread(req.userId(), req.agentId(),
        req.conversationId()).compose(rt -> {
          if (req.dryRun()) {
            return Future.succeededFuture(new Recompiled(AgentChanges.systemMessage(rt, deps, rt.recallCount,
                Times.now()).text()));
          }
          return changes.rebuildSystem(rt).map(v -> new Recompiled(rt.system()));
        }));
  }
}
