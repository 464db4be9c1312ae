package dev.engram.agent;

import dev.engram.agent.rules.PendingCall;
import dev.engram.agent.rules.TurnHistory;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.model.Message;
import dev.engram.model.RunRequest;
import dev.engram.model.ToolAnswer;
import dev.engram.model.ToolCall;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * A thread's tool call paused for its owner's approval or for a client-side tool's result ({@link PendingCall}), and
 * the send that answers it. {@link #check} refuses, before a run starts, a send that does not fit the thread: a
 * message while a call waits (409, Letta's PENDING_APPROVAL), an answer when none waits (a second answer to one call
 * included: the first one's return is in the context, so nothing runs twice), an answer to another call. Then
 * {@link #resolve} takes the answer in the run: an approved call runs once, after the rules are checked again (they
 * may refuse it: Letta 0.16 ran an approved call that broke a rule, this does not); a denied one never runs and the
 * model gets the denial as its failed return; a client tool's result becomes its return.
 */
final class PausedCalls {
  static final String PENDING_APPROVAL = "PENDING_APPROVAL: Cannot send a new message: the agent is waiting for"
      + " approval on a tool call. Approve or deny the pending request (or send the client-side tool's result) with"
      + " POST /v1/agents/{agent_id}/messages before continuing.";

  private PausedCalls() {}

  /** Refuses a send that does not fit the thread's paused call (see the class comment). */
  static void check(AgentRuntime rt, RunRequest req) {
    PendingCall pending = PendingCall.of(rt.context, rt.agent.tools());
    List<ToolAnswer> answers = req.answers();
    if (answers.isEmpty()) {
      if (pending != null) {
        throw new ApiException(ErrorKind.CONFLICT, PENDING_APPROVAL + " pending_request_id=message-"
            + pending.request().id() + ", tool_call_id=" + pending.call().id());
      }
      return;
    }
    if (pending == null) {
      for (ToolAnswer a : answers) {
        if (a.toolCallId() != null && answered(rt.context, a.toolCallId())) {
          throw ApiException.conflict("Tool call " + a.toolCallId() + " was already answered: it does not run"
              + " again");
        }
      }
      throw ApiException.badRequest("Cannot process approval response: no tool call is currently awaiting approval."
          + " Send a regular message to interact with the agent.");
    }
    ToolAnswer answer = answerTo(pending, answers);
    if (answer == null || answers.size() > 1) {
      throw ApiException.unprocessable("The approval response must answer the pending tool call "
          + pending.call().id() + " (" + pending.call().name() + ", request message-" + pending.request().id()
          + ") and nothing else");
    }
    if (pending.clientSide() && ToolAnswer.APPROVE.equals(answer.kind())) {
      throw ApiException.unprocessable("Tool call " + pending.call().id() + " is to the client-side tool "
          + pending.call().name() + ": run it and send its result ({\"type\": \"tool_return\", ...}), or deny it");
    }
  }

  /** Takes the answer to the thread's paused call (checked by {@link #check} when the run started). */
  static Future<StepLoop.Outcome> resolve(ToolCalls calls, AgentRuntime rt, RunRequest req) {
    PendingCall pending = PendingCall.of(rt.context, rt.agent.tools());
    if (pending == null) {
      return Future.failedFuture(ApiException.badRequest("No tool call is awaiting approval any more"));
    }
    ToolAnswer answer = answerTo(pending, req.answers());
    ToolCall call = pending.call();
    calls.answering(pending.request());
    Instant now = Times.now();
    calls.addToHistory(rt.newMessage(Message.APPROVAL, record(answer, call).encode(), null, List.of(), call.id(), now));
    return switch (answer.kind()) {
      case ToolAnswer.RESULT -> Future.succeededFuture(calls.returned(call, "success".equals(answer.status()),
          answer.output(), printed(answer.stdout()), printed(answer.stderr()), true, false));
      case ToolAnswer.DENY -> Future.succeededFuture(calls.failedReturn(call, TurnHistory.DENIED + " The user denied"
          + " the call to " + call.name() + "; it did not run." + (answer.reason() == null || answer.reason().isBlank()
          ? "" : " Reason: " + answer.reason()), false));
      default -> {
        String refusal = calls.gate().refusal(call.name());
        yield refusal != null ? Future.succeededFuture(calls.failedReturn(call, refusal, false))
            : calls.runCall(call, false);
      }
    };
  }

  private static ToolAnswer answerTo(PendingCall pending, List<ToolAnswer> answers) {
    for (ToolAnswer a : answers) {
      if (a.answers(pending.call(), pending.request().id())) {
        return a;
      }
    }
    return null;
  }

  /** Whether a return of call {@code callId} is in the context (recent history: a repeated answer). */
  private static boolean answered(List<Message> context, String callId) {
    for (int i = context.size() - 1; i > 0; i--) {
      Message m = context.get(i);
      if (Message.TOOL.equals(m.role()) && callId.equals(m.toolCallId())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The stored answer, in Letta's ApprovalReturn shape ({@code approvals}: one approval or tool return), with the
   * deprecated single-approval fields as Letta fills them.
   */
  static JsonObject record(ToolAnswer a, ToolCall call) {
    JsonObject item = ToolAnswer.RESULT.equals(a.kind())
        ? new JsonObject().put("type", "tool").put("tool_call_id", call.id()).put("status", a.status())
            .put("tool_return", a.output()).put("stdout", new JsonArray(a.stdout()))
            .put("stderr", new JsonArray(a.stderr()))
        : new JsonObject().put("type", "approval").put("tool_call_id", call.id())
            .put("approve", ToolAnswer.APPROVE.equals(a.kind())).put("reason", a.reason());
    return new JsonObject().put("approvals", new JsonArray().add(item));
  }

  /** What a client-side tool printed, as one text (null when it printed nothing), as a sandboxed tool's output is. */
  private static String printed(List<String> lines) {
    return lines.isEmpty() ? null : String.join("\n", lines);
  }
}
