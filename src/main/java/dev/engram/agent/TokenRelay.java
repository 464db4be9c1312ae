package dev.engram.agent;

import dev.engram.llm.LlmDelta;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Turns the fragments of one streamed model reply into the fragments of the step's events, as they arrive: content is
 * the monologue (or, for an agent that speaks in plain text, what it says to the user); the first tool call's
 * arguments are relayed as they come (with its id and name), and for send_message its {@code message} argument is
 * also decoded as it streams into the text the agent sends the user (a fragment naming the call). Every fragment
 * names the assistant message the step will store, so that it matches the whole events that follow the commit. A
 * call that will pause the run ({@code pauses}: it waits for approval, or the client runs it) is relayed as the
 * approval request it is, and a paused send_message says nothing yet.
 */
final class TokenRelay implements Consumer<LlmDelta> {
  /** The tool whose {@code message} argument is the text the agent says. */
  private static final String SEND_MESSAGE = "send_message";
  private final String messageId;
  private final Consumer<StepDelta> out;
  /** The kind of the content's fragments: the monologue, or what an agent speaking in plain text says. */
  private final String contentKind;
  private final JsonStringField said = new JsonStringField("message");
  private int callIndex = -1;
  private String callId;
  private String callName;
  private boolean callAnnounced;
  private final Predicate<String> pauses;

  TokenRelay(String messageId, Consumer<StepDelta> out, boolean speaksInText) {
    this(messageId, out, speaksInText, name -> false);
  }

  TokenRelay(String messageId, Consumer<StepDelta> out, boolean speaksInText, Predicate<String> pauses) {
    this.messageId = messageId;
    this.out = out;
    this.contentKind = speaksInText ? StepEvent.ASSISTANT : StepEvent.MONOLOGUE;
    this.pauses = pauses;
  }

  @Override
  public void accept(LlmDelta delta) {
    if (delta.isContent()) {
      out.accept(StepDelta.text(contentKind, messageId, delta.content()));
      return;
    }
    if (callIndex < 0) {
      callIndex = delta.callIndex();
    }
    if (delta.callIndex() != callIndex) {
      return; // the loop runs only the first call
    }
    callId = delta.callId() != null ? delta.callId() : callId;
    callName = delta.callName() != null ? delta.callName() : callName;
    String arguments = delta.arguments() == null ? "" : delta.arguments();
    if (callName == null || arguments.isEmpty() && callAnnounced) {
      return;
    }
    // the first fragment names the call, the others carry only the next piece of its arguments
    boolean paused = pauses.test(callName);
    out.accept(new StepDelta(paused ? StepEvent.APPROVAL_REQUEST : StepEvent.FUNCTION_CALL, messageId, arguments,
        callId, callName, !callAnnounced));
    callAnnounced = true;
    if (SEND_MESSAGE.equals(callName) && !paused) {
      String text = said.feed(arguments);
      if (!text.isEmpty()) {
        out.accept(new StepDelta(StepEvent.ASSISTANT, messageId, text, callId, callName, false));
      }
    }
  }
}
